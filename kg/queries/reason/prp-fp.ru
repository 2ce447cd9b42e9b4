# OWL 2 RL prp-fp and prp-ifp: (inverse) functional properties make their values (subjects) the same.
INSERT { ?y1 owl:sameAs ?y2 } WHERE {
  { GRAPH {{tbox}} { ?p rdf:type owl:FunctionalProperty } ?x ?p ?y1 . ?x ?p ?y2 . }
  UNION
  { GRAPH {{tbox}} { ?p rdf:type owl:InverseFunctionalProperty } ?y1 ?p ?x . ?y2 ?p ?x . }
  FILTER(?y1 != ?y2)
}
