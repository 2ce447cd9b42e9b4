# One chunk of a graph uploaded without the Graph Store Protocol, holding whole
# blank-node components: a template rather than INSERT DATA because Virtuoso
# refuses blank nodes in INSERT DATA; one empty solution gives each label one node.
INSERT { GRAPH {{graph}} {
{{triples}}
} } WHERE { }
