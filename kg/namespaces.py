"""Every prefix kg uses, in one place.

Code, queries and serialisers take their prefixes from here so that a term is
spelt the same way everywhere.  ``PREFIXES`` feeds SPARQL prologues, rdflib
graph bindings and the serialisers of the server alike.
"""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

#: kg's own ontology: only the terms the reused vocabularies lack.  Fixed, not
#: rebased with the deployment: a vocabulary keeps its IRIs wherever it is served.
KG = Namespace("https://kg.rammearkitektur.dk/def/kg#")
#: kg's working version of the kernemodel for ladeinfrastruktur (EV recharging), fixed like ``KG``.
LADE = Namespace("https://kg.rammearkitektur.dk/def/ladeinfrastruktur#")

ADMS = Namespace("http://www.w3.org/ns/adms#")
#: ADMS status values (Completed, UnderDevelopment, Deprecated, Withdrawn), for adms:status.
ADMS_STATUS = Namespace("http://purl.org/adms/status/")
BESLUIT = Namespace("http://data.vlaanderen.be/ns/besluit#")
#: SEMIC Core Vocabularies; ``cv:hasLegalResource`` is the Danish modelling rules' "juridisk kilde".
CV = Namespace("http://data.europa.eu/m8g/")
DCATDK = Namespace("https://data.gov.dk/model/core/dcat-dk/")
DQV = Namespace("http://www.w3.org/ns/dqv#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
MDL = Namespace("https://data.gov.dk/model/core/modelling#")
APPROVAL = Namespace("https://data.gov.dk/model/core/approvalstatus#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
OA = Namespace("http://www.w3.org/ns/oa#")
PERSON = Namespace("http://www.w3.org/ns/person#")
SCHEMA = Namespace("https://schema.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
# EU authority tables (Publications Office)
EU_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
EU_FILETYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
EU_LANG = Namespace("http://publications.europa.eu/resource/authority/language/")
EU_FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_ACCESS = Namespace("http://publications.europa.eu/resource/authority/access-right/")
EU_LICENCE = Namespace("http://publications.europa.eu/resource/authority/licence/")

PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "lade": str(LADE),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "dcatdk": str(DCATDK),
    "foaf": str(FOAF),
    "org": str(ORG),
    "prov": str(PROV),
    "void": str(VOID),
    "adms": str(ADMS),
    "besluit": str(BESLUIT),
    "cv": str(CV),
    "dqv": str(DQV),
    "eli": str(ELI),
    "hydra": str(HYDRA),
    "locn": str(LOCN),
    "mdl": str(MDL),
    "approval": str(APPROVAL),
    "odrl": str(ODRL),
    "oa": str(OA),
    "person": str(PERSON),
    "schema": str(SCHEMA),
    "sd": str(SD),
    "sh": str(SH),
    "spdx": str(SPDX),
    "vcard": str(VCARD),
    "theme": str(EU_THEME),
    "filetype": str(EU_FILETYPE),
    "lang": str(EU_LANG),
    "freq": str(EU_FREQ),
    "access": str(EU_ACCESS),
    "licence": str(EU_LICENCE),
}


def sparql_prologue() -> str:
    """The PREFIX lines for every prefix above, for queries kept in ``.rq`` files."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def bind_all(graph: Graph) -> Graph:
    """Bind kg's prefixes on an rdflib graph so that serialisations read well."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


__all__ = [
    "ADMS", "ADMS_STATUS", "APPROVAL", "BESLUIT", "CV", "DCAT", "DCATDK", "DCTERMS", "DQV", "ELI",
    "EU_ACCESS", "EU_FILETYPE", "EU_FREQ", "EU_LANG", "EU_LICENCE", "EU_THEME", "FOAF", "HYDRA", "KG",
    "LADE", "LOCN", "MDL", "OA", "ODRL", "ORG", "OWL", "PERSON", "PREFIXES", "PROV", "RDF", "RDFS",
    "SCHEMA", "SD", "SH", "SKOS", "SPDX", "VCARD", "VOID", "XSD", "bind_all", "sparql_prologue",
]
