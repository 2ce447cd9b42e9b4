"""The SPARQL 1.1 Protocol, without a web framework: what the ``/sparql`` blueprint relies on.

* :mod:`kg.sparql_text` (beside this package: the stores read SPARQL text too) — a tokenizer that finds
  a request's form and its keywords;
* :mod:`kg.sparql.protocol` — the Protocol's rules for reading a query or update request,
  and the safety checks (no ``SERVICE``, no ``LOAD``);
* :mod:`kg.sparql.conneg` — content negotiation with q-values, wildcards and ``format=``;
* :mod:`kg.sparql.execution` — running a query under a time limit without stopping the server;
* :mod:`kg.sparql.description` — the SPARQL Service Description, from a Turtle template.
"""
