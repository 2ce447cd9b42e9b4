# OWL 2 RL prp-key: two instances of a class that agree on every property of its key are the same.
INSERT { ?x owl:sameAs ?y } WHERE {
  GRAPH {{tbox}} { ?c owl:hasKey ?list . ?list rdf:first ?first . }
  ?x rdf:type ?c ; ?first ?v . ?y rdf:type ?c ; ?first ?v .
  FILTER(?x != ?y)
  FILTER NOT EXISTS {
    GRAPH {{tbox}} { ?list rdf:rest*/rdf:first ?key . }
    FILTER NOT EXISTS { ?x ?key ?w . ?y ?key ?w . }
  }
}
