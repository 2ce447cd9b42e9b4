// kg's query page: YASGUI, configured to query this server's /sparql only.
// Out of the box YASGUI queries DBpedia, offers other endpoints, and asks prefix.cc and the
// LOV API for completions; all of that is switched off here, so the page talks to kg alone.
(function () {
  "use strict";
  var el = document.getElementById("yasgui");
  var configEl = document.getElementById("kg-sparql-config");
  if (!el || !configEl || typeof Yasgui === "undefined") return;  // the plain form stays
  var cfg = JSON.parse(configEl.textContent);
  var endpoint = new URL(cfg.endpoint, window.location.href).toString();

  var yasgui = new Yasgui(el, {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderGraph: "text/turtle,*/*;q=0.9",
      acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9",
    },
    autofocus: false,                         // keep the page at its top (the header and the intro)
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    persistenceId: null,
    yasqe: {
      value: cfg.query,
      prefixCcApi: null,                      // no prefix.cc
      autocompleters: ["prefixes", "variables"],  // no LOV property/class look-ups
    },
    yasr: { prefixes: cfg.prefixes },
  });
  var tab = yasgui.getTab();
  tab.setEndpoint(endpoint);
  tab.setQuery(cfg.query);

  // The plain form and its results give way to YASGUI.
  var form = document.getElementById("plain-form");
  if (form) form.hidden = true;
  var results = document.getElementById("results");
  if (results) results.hidden = true;
  document.body.classList.add("has-yasgui");

  // The gallery loads an example into the editor instead of leaving the page.
  document.querySelectorAll("a[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var example = cfg.examples[link.getAttribute("data-example")];
      if (!example) return;
      event.preventDefault();
      var current = yasgui.getTab();
      current.setEndpoint(endpoint);
      current.setQuery(example.query);
      el.scrollIntoView();
    });
  });
})();
