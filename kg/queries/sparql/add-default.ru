# Graph Store Protocol POST ?default: add these triples to the store's own default graph.
INSERT DATA { {{triples}} }
