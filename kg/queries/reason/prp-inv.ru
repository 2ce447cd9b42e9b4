# OWL 2 RL prp-inv1 and prp-inv2: inverse properties hold in both directions.
INSERT { ?y ?q ?x } WHERE {
  { GRAPH {{tbox}} { ?p owl:inverseOf ?q } } UNION { GRAPH {{tbox}} { ?q owl:inverseOf ?p } }
  ?x ?p ?y . FILTER(!isLiteral(?y))
}
