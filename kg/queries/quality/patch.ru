# An incremental refresh of the quality graph, in one request: everything about the targets
# (every dataset and distribution whose inputs changed, and their neighbours) is removed — their
# measurements, the links to them and their unmet metrics — and what was measured again is inserted.
DELETE { GRAPH {{graph}} { ?m ?q ?v } }
WHERE { VALUES ?t { {{targets}} } GRAPH {{graph}} { ?t dqv:hasQualityMeasurement ?m . ?m ?q ?v } } ;
DELETE { GRAPH {{graph}} { ?t ?p ?o } }
WHERE { VALUES ?t { {{targets}} } GRAPH {{graph}} { ?t ?p ?o } } ;
INSERT DATA { GRAPH {{graph}} {
{{triples}}
} }
