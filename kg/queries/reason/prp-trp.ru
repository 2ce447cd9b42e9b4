# OWL 2 RL prp-trp: transitive properties (one step per round; the rounds run to a fixpoint).
INSERT { ?x ?p ?z } WHERE { GRAPH {{tbox}} { ?p rdf:type owl:TransitiveProperty } ?x ?p ?y . ?y ?p ?z . }
