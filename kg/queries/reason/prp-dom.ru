# OWL 2 RL prp-dom: the subject of a property is an instance of its domain.
INSERT { ?x rdf:type ?c } WHERE { GRAPH {{tbox}} { ?p rdfs:domain ?c } ?x ?p ?y . }
