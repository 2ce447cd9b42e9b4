# One chunk of a graph uploaded without the Graph Store Protocol; the chunk has no blank nodes.
INSERT DATA { GRAPH {{graph}} {
{{triples}}
} }
