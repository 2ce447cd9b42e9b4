# Forget the inferred triples about these subjects (they are derived again).
DELETE { GRAPH {{graph}} { ?s ?p ?o } } WHERE { VALUES ?s { {{nodes}} } GRAPH {{graph}} { ?s ?p ?o } }
