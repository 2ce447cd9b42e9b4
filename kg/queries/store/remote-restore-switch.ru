# Restore, in one request: first drop every graph kg owns on the server (DROP
# SILENT GRAPH fragments, the metadata graph among them, which also clears the
# staging markers), then move each uploaded staging graph in (ADD ... TO ...,
# then DROP the staging graph). Both lists are filled in by the remote store.
{{drops}}
{{moves}}
