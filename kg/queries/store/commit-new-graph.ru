# A graph that did not exist before was bulk-loaded in place while hidden;
# record its PROV and unhide it in one transaction.
DELETE WHERE { GRAPH {{meta}} { {{graph}} ?p ?o } } ;
INSERT DATA { GRAPH {{meta}} {
  {{graph}} a prov:Entity, sd:NamedGraph ;
    kg:tripleCount {{triples}} ;
    prov:generatedAtTime {{loaded_at}} ;
    kg:softwareVersion {{version}} {{extra}} .
} }
