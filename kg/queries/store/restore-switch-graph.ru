# One graph of a restore switched in from its filled staging graph (a fragment of the
# restore's commit, which is one transaction): only the difference is written.
DELETE { GRAPH {{graph}} { ?s ?p ?o } }
WHERE { GRAPH {{graph}} { ?s ?p ?o } FILTER NOT EXISTS { GRAPH {{staging}} { ?s ?p ?o } } } ;
INSERT { GRAPH {{graph}} { ?s ?p ?o } }
WHERE { GRAPH {{staging}} { ?s ?p ?o } FILTER NOT EXISTS { GRAPH {{graph}} { ?s ?p ?o } } }
