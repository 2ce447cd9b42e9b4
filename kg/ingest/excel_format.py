"""A cell's value as Danish Excel shows it, from the value and the cell's number format.

An architect reads a concept list in Excel and expects kg to read the same text: an identifier
typed as 7 in a cell formatted ``000`` is "007", a date is "29-08-2023", not ``2023-08-29T00:00:00``,
and 0.25 formatted as a percentage is "25%".  openpyxl gives the stored value and the format code;
this module applies the common codes the way Danish Excel displays them (decimal comma, thousands
point, Danish month names, the locale short date ``dd-mm-yyyy`` for Excel's built-in date format).
Codes it does not know fall back to the value in Excel's "Standard" (General) form.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")
DAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
#: Built-in formats whose display follows the computer's locale; Danish Windows shows these.
_LOCALE_FORMATS = {"mm-dd-yy": "dd-mm-yyyy", "m/d/yy h:mm": "dd-mm-yyyy hh:mm", "d-mmm-yy": "d. mmm yy",
                   "d-mmm": "d. mmm", "mmm-yy": "mmm yy"}
_DECIMAL, _THOUSANDS = ",", "."
_DATE_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|\.0+|\"[^\"]*\"|\\.|.",
                         re.IGNORECASE)


def display(value: object, number_format: str | None) -> str:
    """The text Excel shows for a cell holding ``value`` with ``number_format``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "SAND" if value else "FALSK"
    if isinstance(value, str):
        return value
    code, signed = _section(_clean(number_format or "General"), value)
    if isinstance(value, datetime | date | time | timedelta):
        return _date(value, code if _is_date_code(code) else "dd-mm-yyyy hh:mm:ss"
                     if isinstance(value, datetime) and (value.hour or value.minute or value.second)
                     else "dd-mm-yyyy")
    if isinstance(value, int | float):
        if code in ("General", "@", ""):
            return general(value)
        return _number(float(value) if signed else abs(float(value)), code)
    return str(value)


def general(number: float) -> str:
    """Excel's "Standard" form: an integer without decimals, else up to 10 significant digits."""
    if float(number).is_integer() and abs(number) < 1e15:
        return str(int(number))
    text = f"{number:.10g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}E{int(exponent):+03d}"
    return text.replace(".", _DECIMAL)


def _clean(code: str) -> str:
    code = _LOCALE_FORMATS.get(code, code)
    code = re.sub(r"\[(?:\$[^\]]*|[A-Za-z]+|[<>=][^\]]*)\]", "", code)  # locale, colour and condition tags
    return code


def _section(code: str, value: object) -> tuple[str, bool]:
    """The section of a ``positive;negative;zero;text`` format that applies to ``value``, and whether a
    minus sign is still to be written (a negative section writes its own sign, or none)."""
    sections = re.split(r';(?=(?:[^"]*"[^"]*")*[^"]*$)', code)
    if len(sections) > 1 and isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            return sections[1], False
        if value == 0 and len(sections) > 2:
            return sections[2], True
    return sections[0], True


def _is_date_code(code: str) -> bool:
    bare = re.sub(r'"[^"]*"|\\.', "", code).lower()
    return bool(re.search(r"[ymdhs]", bare)) and not re.search(r"[0#?]", bare.replace(".0", ""))


def _date(value: datetime | date | time | timedelta, code: str) -> str:
    if isinstance(value, timedelta):
        value = datetime(1899, 12, 30) + value
    if isinstance(value, time):
        value = datetime.combine(date(1899, 12, 30), value)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    tokens = _DATE_TOKEN.findall(code)
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out: list[str] = []
    for i, token in enumerate(tokens):
        low = token.lower()
        # "m" and "mm" are minutes after an hour or before seconds, else months.
        minutes = low in ("m", "mm") and (
            any(t.lower() in ("h", "hh") for t in tokens[:i][-2:])
            or any(t.lower() in ("s", "ss") for t in tokens[i + 1:i + 3]))
        hour = value.hour % 12 or 12 if twelve else value.hour
        out.append({
            "yyyy": f"{value.year:04d}", "yy": f"{value.year % 100:02d}",
            "mmmm": MONTHS[value.month - 1], "mmm": MONTHS[value.month - 1][:3],
            "mm": f"{value.minute:02d}" if minutes else f"{value.month:02d}",
            "m": str(value.minute) if minutes else str(value.month),
            "dddd": DAYS[value.weekday()], "ddd": DAYS[value.weekday()][:3],
            "dd": f"{value.day:02d}", "d": str(value.day), "hh": f"{hour:02d}", "h": str(hour),
            "ss": f"{value.second:02d}", "s": str(value.second),
            "am/pm": "AM" if value.hour < 12 else "PM", "a/p": "A" if value.hour < 12 else "P",
        }.get(low, _literal(token)))
    return "".join(out)


def _literal(token: str) -> str:
    if token.startswith('"') and token.endswith('"') and len(token) >= 2:
        return token[1:-1]
    if token.startswith("\\") and len(token) == 2:
        return token[1]
    return token


def _number(number: float, code: str) -> str:
    """A number in a format such as ``0``, ``000``, ``0.00``, ``#,##0.00``, ``0%``, ``0.00E+00``."""
    prefix, body, suffix = _split_number_code(code)
    if not body:
        return _literal_text(prefix + suffix) or general(number)
    if "%" in prefix + suffix:
        number *= 100
    negative = number < 0 and not prefix.startswith("-")
    number = abs(number)
    if "e+" in body.lower():
        mantissa, exponent = re.split(r"[eE]\+", body, maxsplit=1)
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        text = f"{number:.{decimals}E}"
        digits, power = text.split("E")
        text = digits.replace(".", _DECIMAL) + "E" + f"{int(power):+0{len(exponent) + 1}d}"
    else:
        integer_part, _, fraction_part = body.partition(".")
        decimals = len(re.sub(r"[^0#?]", "", fraction_part))
        required = len(re.sub(r"[^0]", "", fraction_part))
        text = f"{number:.{decimals}f}"
        whole, _, fraction = text.partition(".")
        fraction = fraction.rstrip("0").ljust(required, "0") if decimals else ""
        width = len(re.sub(r"[^0]", "", integer_part))
        whole = whole.zfill(width) if width else ("" if whole == "0" and fraction else whole)
        if "," in integer_part:
            whole = f"{int(whole or '0'):,}".replace(",", _THOUSANDS) if whole else whole
        text = whole + (_DECIMAL + fraction if fraction else "")
    return ("-" if negative else "") + _literal_text(prefix) + text + _literal_text(suffix)


def _split_number_code(code: str) -> tuple[str, str, str]:
    match = re.search(r"[0#?][0#?,.]*(?:[eE]\+0+)?", code)
    if match is None:
        return code, "", ""
    return code[:match.start()], match.group(0), code[match.end():]


def _literal_text(code: str) -> str:
    out = []
    for token in re.findall(r'"[^"]*"|\\.|_.|\*.|.', code):
        if token.startswith(("_", "*")):
            continue  # padding to a character's width: nothing in text
        out.append(_literal(token))
    return "".join(out)


__all__ = ["display", "general"]
