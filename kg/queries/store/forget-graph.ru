# Drop a graph and its PROV record together.
DROP SILENT GRAPH {{graph}} ;
DELETE WHERE { GRAPH {{meta}} { {{graph}} ?p ?o } }
