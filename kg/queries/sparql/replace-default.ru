# Graph Store Protocol PUT ?default: the store's own default graph becomes exactly these triples, in one transaction.
CLEAR SILENT DEFAULT ;
INSERT DATA { {{triples}} }
