"""How well each encoding detector reads concept lists saved in the 8-bit code pages Excel writes.

    python -m bench.encodings

kg's lists (the fixtures of tests/conceptlist_fixtures.py and data/conceptlists/ladeinfrastruktur.csv,
whole and cut down to a few rows or the header alone) are saved in Windows-1252, code page 850,
Mac Roman and ISO 8859-15 and given to kg's rule (:func:`kg.ingest.encoding.decode`), chardet and
charset-normalizer.  A detector is right when its encoding decodes the bytes to the text saved.
The table in docs/conceptlists.md is this script's output.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENCODINGS = ("cp1252", "cp850", "mac_roman", "iso8859_15")


def samples() -> dict[str, str]:
    """Name → text of every list measured, with Excel's CRLF (and CR for a Macintosh save)."""
    from tests import conceptlist_fixtures as made

    def sheet(rows: list[list[str]], delimiter: str, end: str = "\r\n") -> str:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator=end).writerows(rows)
        return buffer.getvalue()

    authored = ROOT / "data" / "conceptlists" / "ladeinfrastruktur.csv"
    lade = list(csv.reader(io.StringIO(authored.read_text(encoding="utf-8"))))
    fixture = made._rows()
    symbols = [["Foretrukken term (da)", "Definition (da)", "Kommentar (da)"],
               ["Gebyr", "Beløb på 25 € pr. opladning – jf. § 3, stk. 2.",
                "“Kaldes også ‘afgift’” – se ½-året."],
               ["Müller-stik", "Stik opkaldt efter Hr. Müller; 20°C.", ""]]
    return {"ladeinfrastruktur ;": sheet(lade, ";"), "ladeinfrastruktur tab": sheet(lade, "\t"),
            "ladeinfrastruktur 3 rows": sheet(lade[:4], ";"), "fixture ;": sheet(fixture, ";"),
            "fixture 2 rows": sheet(fixture[:3], ";"), "header only": sheet(lade[:1], ";"),
            "symbols": sheet(symbols, ";"), "fixture, CR line ends": sheet(fixture, ";", "\r")}


def detectors() -> dict[str, object]:
    import chardet
    import charset_normalizer

    from kg.ingest.encoding import decode

    def normalizer(data: bytes) -> str | None:
        best = charset_normalizer.from_bytes(data).best()
        return best.encoding if best else None

    return {"kg's rule": lambda data: decode(data).encoding,
            "chardet": lambda data: chardet.detect(data)["encoding"], "charset-normalizer": normalizer}


def main() -> None:
    found = detectors()
    right = dict.fromkeys(found, 0)
    wrong: dict[str, list[str]] = {name: [] for name in found}
    total = 0
    for sample, text in samples().items():
        for encoding in ENCODINGS:
            data = text.encode(encoding, errors="replace")
            truth = data.decode(encoding)
            total += 1
            for name, detect in found.items():
                guess = detect(data)  # type: ignore[operator]
                if guess and data.decode(guess, errors="replace") == truth:
                    right[name] += 1
                else:
                    wrong[name].append(f"{sample} in {encoding} (said {guess})")
    for name in found:
        print(f"{name:20} {right[name]:3} of {total}")
        for case in wrong[name]:
            print(f"    wrong: {case}")


if __name__ == "__main__":
    main()
