# OWL 2 RL eq-sym, eq-trans, eq-rep-s, eq-rep-o: owl:sameAs is symmetric and transitive, and what
# holds of one of two same individuals holds of the other.
INSERT { ?y owl:sameAs ?x . ?y ?p ?o . ?s ?q ?y . ?x owl:sameAs ?z } WHERE {
  ?x owl:sameAs ?y . FILTER(?x != ?y)
  { ?x ?p ?o } UNION { ?s ?q ?x } UNION { ?y owl:sameAs ?z }
}
