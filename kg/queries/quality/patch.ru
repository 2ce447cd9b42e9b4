# An incremental refresh of the quality graph, in one request: the measurements of the targets
# (every dataset and distribution whose inputs changed, and their neighbours) are removed, and
# the ones measured again are inserted (as N-Triples).
DELETE { GRAPH {{graph}} { ?t dqv:hasQualityMeasurement ?m . ?m ?p ?o } }
WHERE { VALUES ?t { {{targets}} } GRAPH {{graph}} { ?t dqv:hasQualityMeasurement ?m . ?m ?p ?o } } ;
INSERT DATA { GRAPH {{graph}} {
{{triples}}
} }
