# The PROV record of a graph that was just changed in place (a fragment appended to the change
# itself, so both are one request): the triple count is counted here, after the change.
DELETE WHERE { GRAPH {{meta}} { {{graph}} ?p ?o } } ;
INSERT { GRAPH {{meta}} {
  {{graph}} a prov:Entity, sd:NamedGraph ;
    kg:tripleCount ?n ;
    prov:generatedAtTime {{loaded_at}} ;
    kg:softwareVersion {{version}} {{extra}} .
} }
WHERE { SELECT (COUNT(*) AS ?n) WHERE { GRAPH {{graph}} { ?s ?p ?o } } }
