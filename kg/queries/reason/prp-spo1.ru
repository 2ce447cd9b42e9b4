# OWL 2 RL prp-spo1: a statement with a sub-property holds for its super-properties.
INSERT { ?x ?q ?y } WHERE { GRAPH {{tbox}} { ?p rdfs:subPropertyOf ?q FILTER(?p != ?q) } ?x ?p ?y . }
