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


def triples(n: int, base: str = "https://kg.rammearkitektur.dk", seed: int = 1) -> Iterator[str]:
    """The catalogue's triples as N-Triples lines."""
    rng = random.Random(seed)
    catalog = f"<{base}/id/catalog/bench>"
    yield f"{catalog} {RDF_TYPE} <{DCAT}Catalog> .\n"
    yield f"{catalog} <{DCT}title> {_lit('Syntetisk katalog', 'da')} .\n"
    yield f"{catalog} <{DCT}description> {_lit('Genereret til benchmarks.', 'da')} .\n"
    yield f"{catalog} <{DCT}publisher> <{base}/id/org/bench-0> .\n"
    for k in range(50):
        org = f"<{base}/id/org/bench-{k}>"
        yield f"{org} {RDF_TYPE} <{FOAF}Agent> .\n"
        yield f"{org} <{FOAF}name> {_lit(f'{TOWNS[k % len(TOWNS)]} Kommune {k}', 'da')} .\n"
    start = date(2015, 1, 1)
    for i in range(n):
        subject = rng.randrange(len(SUBJECTS_DA))
        town = TOWNS[rng.randrange(len(TOWNS))]
        ds = f"<{base}/id/dataset/bench-{i}>"
        record = f"<{base}/id/record/bench-{i}>"
        issued = start + timedelta(days=rng.randrange(3000))
        modified = issued + timedelta(days=rng.randrange(600))
        yield f"{catalog} <{DCAT}dataset> {ds} .\n"
        yield f"{catalog} <{DCAT}record> {record} .\n"
        yield f"{record} {RDF_TYPE} <{DCAT}CatalogRecord> .\n"
        yield f"{record} <{FOAF}primaryTopic> {ds} .\n"
        yield f"{record} <{DCT}modified> {_date(modified)} .\n"
        yield f"{ds} {RDF_TYPE} <{DCAT}Dataset> .\n"
        yield f"{ds} <{DCT}identifier> {_lit(f'bench-{i}')} .\n"
        yield f"{ds} <{DCT}title> {_lit(f'{SUBJECTS_DA[subject].capitalize()} i {town} ({i})', 'da')} .\n"
        yield f"{ds} <{DCT}title> {_lit(f'{SUBJECTS_EN[subject].capitalize()} in {town} ({i})', 'en')} .\n"
        desc_da = f"Oversigt over {SUBJECTS_DA[subject]} i {town} Kommune, opdateret løbende. Nummer {i}."
        desc_en = f"Overview of {SUBJECTS_EN[subject]} in {town} municipality. Dataset number {i}."
        yield f"{ds} <{DCT}description> {_lit(desc_da, 'da')} .\n"
        yield f"{ds} <{DCT}description> {_lit(desc_en, 'en')} .\n"
        yield f"{ds} <{DCT}publisher> <{base}/id/org/bench-{rng.randrange(50)}> .\n"
        for word in rng.sample(SUBJECTS_DA, 3):
            yield f"{ds} <{DCAT}keyword> {_lit(word, 'da')} .\n"
        for theme in rng.sample(THEMES, 2):
            yield f"{ds} <{DCAT}theme> <{EU}data-theme/{theme}> .\n"
        yield f"{ds} <{DCT}issued> {_date(issued)} .\n"
        yield f"{ds} <{DCT}modified> {_date(modified)} .\n"
        yield f"{ds} <{DCT}language> <{EU}language/DAN> .\n"
        yield f"{ds} <{DCT}accessRights> <{EU}access-right/PUBLIC> .\n"
        yield f"{ds} <{DCAT}landingPage> <https://data.kommune.example/datasets/{i}> .\n"
        yield f"{ds} <{DCT}accrualPeriodicity> <{EU}frequency/{rng.choice(FREQUENCIES)}> .\n"
        contact = f"<{base}/id/dataset/bench-{i}/contact>"
        yield f"{ds} <{DCAT}contactPoint> {contact} .\n"
        yield f"{contact} {RDF_TYPE} <{VCARD}Organization> .\n"
        yield f"{contact} <{VCARD}fn> {_lit(f'{town} Kommune, data')} .\n"
        yield f"{contact} <{VCARD}hasEmail> <mailto:data{i % 50}@kommune.example> .\n"
        for d in range(2):
            dist = f"<{base}/id/distribution/bench-{i}/{d}>"
            fmt = rng.choice(FORMATS)
            yield f"{ds} <{DCAT}distribution> {dist} .\n"
            yield f"{dist} {RDF_TYPE} <{DCAT}Distribution> .\n"
            yield f"{dist} <{DCT}title> {_lit(f'{SUBJECTS_DA[subject].capitalize()} ({fmt})', 'da')} .\n"
            yield f"{dist} <{DCAT}accessURL> <https://data.kommune.example/{i}/{d}> .\n"
            yield f"{dist} <{DCT}format> <{EU}file-type/{fmt}> .\n"
            yield f"{dist} <{DCT}license> <{EU}licence/{rng.choice(LICENCES)}> .\n"


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
