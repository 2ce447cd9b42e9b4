"""The text encoding of a delimited spreadsheet file, told from its bytes.

Concept lists reach kg as whatever Excel or LibreOffice wrote: UTF-8 with or without a byte-order
mark ("CSV UTF-8"), UTF-16 with a mark ("Unicode-tekst"), or an 8-bit code page — Windows-1252 for
Danish Excel's "CSV (semikolonsepareret)", code page 850 for "CSV (MS-DOS)", Mac Roman for "CSV
(Macintosh)".  The architect should not have to know which, so kg decides in this order:

1. a byte-order mark names the encoding;
2. UTF-16 without a mark shows as a zero byte in every other position;
3. bytes that decode as UTF-8 are UTF-8 (8-bit Danish text almost never does); bytes that hold
   well-formed UTF-8 sequences *and* bytes that are not are a UTF-8 file with damaged cells, read
   as UTF-8 so that each damaged cell is reported where it is;
4. otherwise the 8-bit code pages Excel writes are tried, and the one whose text reads as Danish
   or Western European (æ ø å é ü, typographic quotes and dashes, § € °) wins;
5. if none reads so, or the winner is mostly letters beyond ASCII (Greek or Cyrillic read through
   a Western code page), the text is not Danish: chardet, a maintained general detector, guesses,
   and the report says it is a guess.

Step 4 is a rule and not a library because it is better at what kg gets: measured on kg's own
lists (``python -m bench.encodings``, table in ``docs/conceptlists.md``), charset-normalizer read
the Windows-1252 ladeinfrastruktur list as Windows-1250 (æ ø å became ć ř ĺ) and chardet took its
code page 850 copy for 865, while the rule read every file Excel writes right.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

#: The byte-order marks, longest first (UTF-32 LE begins with UTF-16 LE's mark).
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 (byte-order mark)"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 (byte-order mark)"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8 (byte-order mark)"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 (byte-order mark)"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 (byte-order mark)"),
)
#: The 8-bit code pages Excel and LibreOffice write Danish text in, the usual one first (it wins ties).
CODE_PAGES: tuple[tuple[str, str], ...] = (
    ("cp1252", "Windows-1252"), ("cp850", "code page 850 (MS-DOS)"), ("mac_roman", "Mac Roman"),
)
#: Characters that Danish and Western European text holds beyond ASCII.
_LETTERS = set("æøåÆØÅ")
_WESTERN = set("àáâãäçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝßðÐþÞ"
               "–—‘’‚“”„«»…•§°½¼¾€£´·×÷±²³µ¶©®™¤¢¥¹ºª¿¡\u00a0")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass(frozen=True)
class Decoded:
    """Text read from bytes, with the encoding used and how it was chosen (for the report)."""

    text: str
    encoding: str
    described: str
    #: False when UTF-8 was assumed for bytes that are not all UTF-8: bad cells hold lone surrogates.
    clean: bool = True


class EncodingError(ValueError):
    """The bytes cannot be read as text: the message says what to do."""


def plausibility(text: str) -> int:
    """How much ``text``'s non-ASCII characters look like Danish text: letters +2, Western +1, others -2."""
    score = 0
    for char in text:
        if char < "\x80":
            continue
        score += 2 if char in _LETTERS else 1 if char in _WESTERN else -2
    return score


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode a spreadsheet file's bytes, with ``encoding`` when given, else as the module describes."""
    if encoding is not None:
        return _decode_as(data, encoding)
    for mark, name, described in _BOMS:
        if data.startswith(mark):
            body = data[len(mark):]
            errors = "surrogateescape" if name == "utf-8" else "replace"
            return Decoded(body.decode(name, errors=errors), name, described, clean=_decodes(body, name))
    utf16 = _utf16_without_mark(data)
    if utf16 is not None:
        return Decoded(data.decode(utf16, errors="replace"), utf16, "UTF-16 (detected)")
    if _decodes(data, "utf-8"):
        return Decoded(data.decode("utf-8"), "utf-8", "UTF-8")
    if _UTF8_SEQUENCE.search(data):
        # UTF-8 with some bytes that are not: keep them as lone surrogates, so each bad cell is reported.
        return Decoded(data.decode("utf-8", errors="surrogateescape"), "utf-8", "UTF-8", clean=False)
    best: tuple[int, str, str, str] | None = None
    for name, label in CODE_PAGES:
        if not _decodes(data, name):
            continue
        text = data.decode(name)
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, name, label, text)
    if best is not None and best[0] > 0 and foreign_share(best[3]) <= MAX_FOREIGN_SHARE:
        return Decoded(best[3], best[1], f"{best[2]} (detected)")
    return _guess(data)


#: Danish text is mostly ASCII letters (æ, ø and å are a few in a hundred); Greek or Cyrillic read
#: through a Western code page turns into accented Latin letters almost throughout.
MAX_FOREIGN_SHARE = 0.25


def foreign_share(text: str) -> float:
    """The share of letters beyond ASCII among all letters of ``text``."""
    letters = [c for c in text if c.isalpha()]
    return sum(c >= "\x80" for c in letters) / len(letters) if letters else 0.0


def _guess(data: bytes) -> Decoded:
    """Text that is in none of Excel's Danish code pages: chardet's guess, said to be one."""
    import chardet

    found = chardet.detect(data)
    name = found.get("encoding")
    if name:
        try:
            text = data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            return Decoded(text, codecs.lookup(name).name, f"{name} (guessed by chardet; check the text, "
                                                           "or give --encoding)")
    raise EncodingError("cannot tell the text encoding: save the list as \"CSV UTF-8\", or give --encoding")


def _decode_as(data: bytes, encoding: str) -> Decoded:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise EncodingError(f"unknown encoding {encoding!r} (e.g. utf-8, utf-16, cp1252, cp850, mac_roman)") \
            from None
    errors = "surrogateescape" if name == "utf-8" else "replace"
    text = data.decode(name, errors=errors).removeprefix("\ufeff")
    return Decoded(text, name, f"{name} (as given)", clean=_decodes(data, name))


def _decodes(data: bytes, name: str) -> bool:
    try:
        data.decode(name)
    except UnicodeDecodeError:
        return False
    return True


def _utf16_without_mark(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` for text whose every other byte is zero (ASCII text in UTF-16), else None."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le" if _decodes(data, "utf-16-le") else None
    if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be" if _decodes(data, "utf-16-be") else None
    return None


__all__ = ["CODE_PAGES", "Decoded", "EncodingError", "decode", "plausibility"]
