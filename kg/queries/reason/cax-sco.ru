# OWL 2 RL cax-sco (with scm-eqc folded into the T-box closure): instances of a class are instances of its superclasses.
INSERT { ?x rdf:type ?d } WHERE { GRAPH {{tbox}} { ?c rdfs:subClassOf ?d } ?x rdf:type ?c . }
