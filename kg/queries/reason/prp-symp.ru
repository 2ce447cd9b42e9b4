# OWL 2 RL prp-symp: symmetric properties hold both ways.
INSERT { ?y ?p ?x } WHERE { GRAPH {{tbox}} { ?p rdf:type owl:SymmetricProperty } ?x ?p ?y . FILTER(!isLiteral(?y)) }
