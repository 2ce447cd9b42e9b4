# OWL 2 RL prp-spo2: a property chain (its steps filled in as a sequence path) implies the property.
INSERT { ?x {{property}} ?y } WHERE { ?x {{chain}} ?y . }
