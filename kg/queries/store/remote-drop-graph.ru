# One graph dropped by a restore (a fragment of remote-restore-switch).
DROP SILENT GRAPH {{graph}}
