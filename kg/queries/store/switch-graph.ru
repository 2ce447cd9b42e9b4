# Switch a filled staging graph in as {{graph}} and rewrite its PROV record, in
# one transaction: readers see the old graph or the new one, never a mixture.
# Only the difference is written, so reloading a mostly unchanged source is
# cheap; the staging graph stays hidden (marked "discard") until it is removed.
DELETE { GRAPH {{graph}} { ?s ?p ?o } }
WHERE { GRAPH {{graph}} { ?s ?p ?o } FILTER NOT EXISTS { GRAPH {{staging}} { ?s ?p ?o } } } ;
INSERT { GRAPH {{graph}} { ?s ?p ?o } }
WHERE { GRAPH {{staging}} { ?s ?p ?o } FILTER NOT EXISTS { GRAPH {{graph}} { ?s ?p ?o } } } ;
DELETE WHERE { GRAPH {{meta}} { {{staging}} ?p ?o } } ;
DELETE WHERE { GRAPH {{meta}} { {{graph}} ?p ?o } } ;
INSERT DATA { GRAPH {{meta}} {
  {{staging}} kg:loadState "discard" .
  {{graph}} a prov:Entity, sd:NamedGraph ;
    kg:tripleCount {{triples}} ;
    prov:generatedAtTime {{loaded_at}} ;
    kg:softwareVersion {{version}} {{extra}} .
} }
