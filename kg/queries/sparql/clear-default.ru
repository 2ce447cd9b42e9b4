# Graph Store Protocol DELETE ?default.
CLEAR SILENT DEFAULT
