"""Is this text an IRI (RFC 3987)?  Checked before a client's IRI or path reaches a query.

kg writes IRIs from requests (``/resource?iri=``, ``/id/<path>``, ``?graph=``,
``default-graph-uri``) into SPARQL as ``<…>``.  :func:`kg.queries.iri` stops text that
could break out of the brackets, but the store's parser also refuses IRIs that break
RFC 3987's grammar (a ``%`` without two hex digits, ``[`` in a path, a port that is not
digits, U+FFFD from undecodable bytes, control characters), and such a refusal
deep inside a page would be a 500.  Checking the grammar at the door turns it into a
clear 400 that says what is wrong.  Pure Python, so the web layer can use it without
importing the store's engine.
"""

from __future__ import annotations

import ipaddress
import re

# RFC 3987 section 2.2: ucschar and iprivate, as regex character-class ranges.
_UCS = ("\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
        "\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd\U00040000-\U0004fffd"
        "\U00050000-\U0005fffd\U00060000-\U0006fffd\U00070000-\U0007fffd\U00080000-\U0008fffd"
        "\U00090000-\U0009fffd\U000a0000-\U000afffd\U000b0000-\U000bfffd\U000c0000-\U000cfffd"
        "\U000d0000-\U000dfffd\U000e1000-\U000efffd")
_PRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_UNRESERVED = rf"A-Za-z0-9\-._~{_UCS}"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"

_IRI = re.compile(
    rf"(?P<scheme>[A-Za-z][A-Za-z0-9+\-.]*):"
    rf"(?:(?://(?P<authority>(?:[{_UNRESERVED}{_SUB_DELIMS}:@\[\]]|{_PCT})*)(?P<abempty>(?:/{_PCHAR}*)*))"
    rf"|(?!//)(?:{_PCHAR}|/)*)"
    rf"(?:\?(?:{_PCHAR}|[/?{_PRIVATE}])*)?"
    rf"(?:#(?:{_PCHAR}|[/?])*)?",
)
_AUTHORITY = re.compile(
    rf"(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?"
    rf"(?P<host>\[[^\]]*\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*)"
    r"(?::[0-9]*)?",
)
_PATH = re.compile(rf"(?:{_PCHAR}|/)*")
_IPVFUTURE = re.compile(rf"v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~{_SUB_DELIMS}:]+")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _host_ok(host: str) -> bool:
    if not host.startswith("["):
        return True
    inner = host[1:-1]
    if _IPVFUTURE.fullmatch(inner):
        return True
    try:
        ipaddress.IPv6Address(inner)
    except ValueError:
        return False
    return True


def is_absolute_iri(text: str) -> bool:
    """True when ``text`` is an absolute IRI by RFC 3987's grammar."""
    match = _IRI.fullmatch(text)
    if match is None:
        return False
    authority = match.group("authority")
    if authority is None:
        return True
    parts = _AUTHORITY.fullmatch(authority)
    return parts is not None and _host_ok(parts.group("host"))


def is_web_iri(text: str) -> bool:
    """True for an absolute http(s) IRI with a host: what kg mints under, links to and checks.

    The one rule for "is this a web address", for settings, concept lists, exports, the quality
    checks' link test and the pages' links (which must never be ``javascript:`` or ``data:``).
    """
    scheme, sep, rest = text.partition("://")
    return (bool(sep) and scheme.lower() in ("http", "https") and rest[:1] not in ("", "/", "?", "#")
            and is_absolute_iri(text))


def is_reference_iri(text: str) -> bool:
    """True for a web IRI or an absolute ``urn:`` IRI: what a source may name instead of a term."""
    if text[:4].lower() == "urn:":
        return len(text) > 4 and is_absolute_iri(text)
    return is_web_iri(text)


def is_iri_path(text: str) -> bool:
    """True when ``text`` (a request path, already percent-decoded) can follow an IRI's authority."""
    return _PATH.fullmatch(text) is not None


def problem(text: str) -> str:
    """Why ``text`` is not an IRI, in a few words a client can act on (for the 400's message)."""
    for char in text:
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0:
            return f"it holds the control character U+{code:04X}"
        if char == "\ufffd":
            return "it holds bytes that are not UTF-8"
        if char in ' <>"{}|\\^`':
            return f"it holds {char!r}, which an IRI must percent-encode"
        if 0xD800 <= code <= 0xDFFF or (code >= 0xA0 and not re.match(f"[{_UCS}{_PRIVATE}]", char)):
            return f"it holds U+{code:04X}, which no IRI may contain"
    if _BAD_PERCENT.search(text):
        return "it holds a '%' not followed by two hexadecimal digits"
    if not re.match(r"[A-Za-z][A-Za-z0-9+\-.]*:", text):
        return "it does not start with a scheme such as https:"
    return "it does not follow RFC 3987 (check brackets, the port and where '/', '?' and '#' stand)"
