# OWL 2 RL prp-rng: the (non-literal) object of a property is an instance of its range.
INSERT { ?y rdf:type ?c } WHERE { GRAPH {{tbox}} { ?p rdfs:range ?c } ?x ?p ?y . FILTER(!isLiteral(?y)) }
