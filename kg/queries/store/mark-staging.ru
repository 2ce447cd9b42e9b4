# A load has begun filling {{staging}} for {{graph}}; until it is switched in
# the staging graph is hidden from every query.
INSERT DATA { GRAPH {{meta}} { {{staging}} kg:stagingFor {{graph}} } }
