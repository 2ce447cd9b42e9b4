# A graph left to be removed (a restore's staging graph, or a graph the restored dump lacks):
# hidden from every query from the moment this commits; recovery removes it if no one else does.
INSERT DATA { GRAPH {{meta}} { {{graph}} kg:loadState "discard" } }
