# A new graph is being bulk-loaded in place; hidden from queries until committed.
INSERT DATA { GRAPH {{meta}} { {{graph}} kg:loadState "loading" } }
