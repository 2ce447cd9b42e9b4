# The PROV record of a graph that was just changed in place (a fragment appended to the change
# itself, so both are one request), with the triple count the caller worked out.
DELETE WHERE { GRAPH {{meta}} { {{graph}} ?p ?o } } ;
INSERT DATA { GRAPH {{meta}} {
  {{graph}} a prov:Entity, sd:NamedGraph ;
    kg:tripleCount {{triples}} ;
    prov:generatedAtTime {{loaded_at}} ;
    kg:softwareVersion {{version}} {{extra}} .
} }
