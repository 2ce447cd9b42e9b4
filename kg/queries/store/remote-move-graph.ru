# One uploaded staging graph moved in by a restore (a fragment of remote-restore-switch).
DROP SILENT GRAPH {{graph}} ;
ADD SILENT {{staging}} TO {{graph}} ;
DROP SILENT GRAPH {{staging}}
