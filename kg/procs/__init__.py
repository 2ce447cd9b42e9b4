"""The processes of a running kg server, and how they talk.

``kg serve`` runs gunicorn; besides its HTTP workers there are

* one **writer process** (:mod:`kg.procs.writer`), the only one that opens the store for writing:
  every HTTP write, and every ``kg load`` or ``kg ingest`` while the server runs, is sent to it over
  a Unix socket; it runs the derivation pipeline and publishes each new state as a generation;
* per HTTP worker, a pool of **query processes** (:mod:`kg.procs.executor`, managed by
  :mod:`kg.procs.pool`): each opens the newest generation read-only, answers one query at a time
  where it cannot reach the network and cannot take more memory than allowed, and is killed (and
  replaced) when a query runs past its time limit or crashes it.  A crash or a kill costs only
  the request that query served.

Messages between them are framed by :mod:`kg.procs.ipc`.  The HTTP workers hold no store: the web
app talks to :class:`kg.store.served.ServedStore` (reads) and :class:`kg.procs.writer.WriterClient`
(writes).
"""
