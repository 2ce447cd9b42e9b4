"""Generate realistic synthetic DCAT-AP(-DK) catalogues for benchmarks and scale tests.

Each dataset has about 40 triples: Danish and English titles and descriptions, a
publisher among 50 organisations, keywords, EU data themes, issued/modified
dates, a contact point, two distributions with format and licence, and a
catalogue record.  The output is N-Triples (streamed, so 100k datasets need
little memory) and deterministic for a given ``--seed``.

    python -m bench.generate 10000 -o bench/out/catalog-10k.nt
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
EU = "http://publications.europa.eu/resource/authority/"
THEMES = ["GOVE", "ECON", "ENVI", "TRAN", "SOCI", "HEAL", "EDUC", "REGI", "JUST", "TECH", "ENER", "AGRI"]
FORMATS = ["CSV", "JSON", "XML", "RDF_TURTLE", "PDF", "XLSX", "GEOJSON"]
LICENCES = ["CC_BY_4_0", "CC0", "CC_BYSA_4_0"]
FREQUENCIES = ["DAILY", "WEEKLY", "MONTHLY", "ANNUAL", "IRREG"]
SUBJECTS_DA = ["ladepunkter", "affald", "skoler", "veje", "budget", "borgerservice", "beskæftigelse",
               "miljøtilsyn", "byggesager", "dagtilbud", "ældrepleje", "parkering", "vandløb", "trafiktal"]
SUBJECTS_EN = ["charging points", "waste", "schools", "roads", "budget", "citizen services", "employment",
               "environmental inspection", "building cases", "day care", "elderly care", "parking",
               "watercourses", "traffic counts"]
TOWNS = ["Aabenraa", "Ballerup", "Frederiksberg", "Horsens", "København", "Køge", "Odense", "Roskilde",
         "Slagelse", "Aarhus", "Thisted", "Faxe", "Allerød", "Helsingør", "Halsnæs", "Sønderborg"]


def _lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _date(day: date) -> str:
    return f'"{day.isoformat()}"^^<{XSD_DATE}>'


def _node(subject: str, kind: str, *properties: tuple[str, str]) -> Iterator[str]:
    """A node's N-Triples lines: its type, then each (predicate IRI, object term) in the order given."""
    yield f"{subject} {RDF_TYPE} <{kind}> .\n"
    for predicate, term in properties:
        yield f"{subject} <{predicate}> {term} .\n"


def triples(n: int, base: str = "https://kg.rammearkitektur.dk", seed: int = 1) -> Iterator[str]:
    """The catalogue's triples as N-Triples lines."""
    rng = random.Random(seed)
    catalog = f"<{base}/id/catalog/bench>"
    yield from _node(catalog, f"{DCAT}Catalog",
                     (f"{DCT}title", _lit("Syntetisk katalog", "da")),
                     (f"{DCT}description", _lit("Genereret til benchmarks.", "da")),
                     (f"{DCT}publisher", f"<{base}/id/org/bench-0>"))
    for k in range(50):
        yield from _node(f"<{base}/id/org/bench-{k}>", f"{FOAF}Agent",
                         (f"{FOAF}name", _lit(f"{TOWNS[k % len(TOWNS)]} Kommune {k}", "da")))
    start = date(2015, 1, 1)
    for i in range(n):
        subject = rng.randrange(len(SUBJECTS_DA))
        town = TOWNS[rng.randrange(len(TOWNS))]
        ds = f"<{base}/id/dataset/bench-{i}>"
        record = f"<{base}/id/record/bench-{i}>"
        contact = f"<{base}/id/dataset/bench-{i}/contact>"
        issued = start + timedelta(days=rng.randrange(3000))
        modified = issued + timedelta(days=rng.randrange(600))
        yield f"{catalog} <{DCAT}dataset> {ds} .\n"
        yield f"{catalog} <{DCAT}record> {record} .\n"
        yield from _node(record, f"{DCAT}CatalogRecord",
                         (f"{FOAF}primaryTopic", ds), (f"{DCT}modified", _date(modified)))
        desc_da = f"Oversigt over {SUBJECTS_DA[subject]} i {town} Kommune, opdateret løbende. Nummer {i}."
        desc_en = f"Overview of {SUBJECTS_EN[subject]} in {town} municipality. Dataset number {i}."
        yield from _node(
            ds, f"{DCAT}Dataset",
            (f"{DCT}identifier", _lit(f"bench-{i}")),
            (f"{DCT}title", _lit(f"{SUBJECTS_DA[subject].capitalize()} i {town} ({i})", "da")),
            (f"{DCT}title", _lit(f"{SUBJECTS_EN[subject].capitalize()} in {town} ({i})", "en")),
            (f"{DCT}description", _lit(desc_da, "da")),
            (f"{DCT}description", _lit(desc_en, "en")),
            (f"{DCT}publisher", f"<{base}/id/org/bench-{rng.randrange(50)}>"),
            *((f"{DCAT}keyword", _lit(word, "da")) for word in rng.sample(SUBJECTS_DA, 3)),
            *((f"{DCAT}theme", f"<{EU}data-theme/{theme}>") for theme in rng.sample(THEMES, 2)),
            (f"{DCT}issued", _date(issued)),
            (f"{DCT}modified", _date(modified)),
            (f"{DCT}language", f"<{EU}language/DAN>"),
            (f"{DCT}accessRights", f"<{EU}access-right/PUBLIC>"),
            (f"{DCAT}landingPage", f"<https://data.kommune.example/datasets/{i}>"),
            (f"{DCT}accrualPeriodicity", f"<{EU}frequency/{rng.choice(FREQUENCIES)}>"),
            (f"{DCAT}contactPoint", contact))
        yield from _node(contact, f"{VCARD}Organization",
                         (f"{VCARD}fn", _lit(f"{town} Kommune, data")),
                         (f"{VCARD}hasEmail", f"<mailto:data{i % 50}@kommune.example>"))
        for d in range(2):
            dist = f"<{base}/id/distribution/bench-{i}/{d}>"
            fmt = rng.choice(FORMATS)
            yield f"{ds} <{DCAT}distribution> {dist} .\n"
            yield from _node(dist, f"{DCAT}Distribution",
                             (f"{DCT}title", _lit(f"{SUBJECTS_DA[subject].capitalize()} ({fmt})", "da")),
                             (f"{DCAT}accessURL", f"<https://data.kommune.example/{i}/{d}>"),
                             (f"{DCT}format", f"<{EU}file-type/{fmt}>"),
                             (f"{DCT}license", f"<{EU}licence/{rng.choice(LICENCES)}>"))


def write(n: int, out: TextIO, base: str = "https://kg.rammearkitektur.dk", seed: int = 1) -> int:
    """Write the catalogue; returns the number of triples."""
    count = 0
    for line in triples(n, base, seed):
        out.write(line)
        count += 1
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datasets", type=int, help="number of datasets")
    parser.add_argument("-o", "--output", type=Path, help="N-Triples file (default: standard output)")
    parser.add_argument("--base-iri", default="https://kg.rammearkitektur.dk")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with args.output.open("w", encoding="utf-8") as out:
            count = write(args.datasets, out, args.base_iri, args.seed)
        print(f"wrote {count} triples ({args.datasets} datasets) to {args.output}", file=sys.stderr)
    else:
        write(args.datasets, sys.stdout, args.base_iri, args.seed)


if __name__ == "__main__":
    main()
