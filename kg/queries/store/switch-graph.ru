# Switch a filled staging graph in as {{graph}} and rewrite its PROV record, in
# one transaction: readers see the old graph or the new one, never a mixture.
DROP SILENT GRAPH {{graph}} ;
ADD SILENT {{staging}} TO {{graph}} ;
DROP SILENT GRAPH {{staging}} ;
DELETE WHERE { GRAPH {{meta}} { {{staging}} ?p ?o } } ;
DELETE WHERE { GRAPH {{meta}} { {{graph}} ?p ?o } } ;
INSERT DATA { GRAPH {{meta}} {
  {{graph}} a prov:Entity, sd:NamedGraph ;
    kg:tripleCount {{triples}} ;
    prov:generatedAtTime {{loaded_at}} ;
    kg:softwareVersion {{version}} {{extra}} .
} }
