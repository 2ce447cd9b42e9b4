// kg's query page.  The plain form works at once (and without JavaScript); YASGUI, a megabyte of
// script, is fetched only when the reader starts on a query: on focusing the query field, or with
// the "editor" button.  It is configured to query this server's /sparql only: out of the box YASGUI
// queries DBpedia, offers other endpoints, and asks prefix.cc and the LOV API for completions; all
// of that is switched off here.  In the editor, Esc leaves it (Tab indents there, as editors do).
(function () {
  "use strict";
  var el = document.getElementById("yasgui");
  var configEl = document.getElementById("kg-sparql-config");
  var field = document.getElementById("query");
  var form = document.getElementById("plain-form");
  var opener = document.getElementById("open-editor");
  if (!el || !configEl || !field || !form) return;
  var cfg = JSON.parse(configEl.textContent);
  var endpoint = new URL(cfg.endpoint, window.location.href).toString();
  var state = "plain";   // plain → loading → editor (or back to plain if the editor cannot load)

  function load(src, tag, attrs) {
    return new Promise(function (resolve, reject) {
      var node = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { node[k] = attrs[k]; });
      node.onload = resolve;
      node.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(node);
    });
  }

  function leaveEditor() {
    // Esc: out of the text area, to the editor's run button (Tab then goes on through the page).
    var run = el.querySelector(".yasqe_queryButton");
    if (run) { run.focus(); return; }
    var heading = document.getElementById("examples-h");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function label() {
    // Names for the controls YASGUI leaves unnamed (its editor, its buttons, its tab list).
    var input = el.querySelector(".CodeMirror [contenteditable], .CodeMirror textarea");
    if (input) {
      input.setAttribute("role", "textbox");
      input.setAttribute("aria-multiline", "true");
      input.setAttribute("aria-label", cfg.labels.editor);
      input.setAttribute("aria-describedby", "editor-hint");
    }
    el.querySelectorAll("button:not([aria-label]), [role=button]:not([aria-label])").forEach(function (b) {
      if (!b.textContent.trim()) b.setAttribute("aria-label", b.getAttribute("title") || cfg.labels.button);
    });
    el.querySelectorAll("input:not([aria-label]), select:not([aria-label])").forEach(function (i) {
      if (!i.labels || !i.labels.length) i.setAttribute("aria-label", i.getAttribute("placeholder") || cfg.labels.field);
    });
    // The results table's row-number column has an empty header.
    el.querySelectorAll(".yasr th").forEach(function (th) {
      if (!th.textContent.trim() && !th.querySelector(".kg-row-head")) {
        var text = document.createElement("span");
        text.className = "kg-row-head visually-hidden";
        text.textContent = cfg.labels.row;
        th.appendChild(text);
      }
    });
  }

  function start(focus) {
    if (state !== "plain") return;
    state = "loading";
    el.setAttribute("aria-busy", "true");
    Promise.all([
      load(el.getAttribute("data-style"), "link", { rel: "stylesheet", href: el.getAttribute("data-style") }),
      load(el.getAttribute("data-script"), "script", { src: el.getAttribute("data-script") }),
    ]).then(function () {
      var yasgui = new window.Yasgui(el, {
        requestConfig: {
          endpoint: endpoint,
          method: "POST",
          acceptHeaderGraph: "text/turtle,*/*;q=0.9",
          acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9",
        },
        autofocus: false,
        copyEndpointOnNewTab: true,
        endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
        persistenceId: null,
        yasqe: {
          value: field.value,
          // The editor grows with its query and wraps long lines: nothing in it scrolls, so nothing
          // needs a keyboard of its own to scroll, and it reflows at any width.
          editorHeight: "auto",
          resizeable: false,
          lineWrapping: true,
          viewportMargin: Infinity,
          // A contenteditable input inside the scroller: screen readers read it as text, and the
          // scrolling region holds the keyboard's focus itself.
          inputStyle: "contenteditable",
          prefixCcApi: null,                      // no prefix.cc
          autocompleters: ["prefixes", "variables"],  // no LOV property/class look-ups
        },
        yasr: { prefixes: cfg.prefixes },
      });
      var tab = yasgui.getTab();
      tab.setEndpoint(endpoint);
      tab.setQuery(field.value);
      var yasqe = tab.getYasqe();
      yasqe.addKeyMap({ Esc: leaveEditor });
      // The plain form and its results give way to YASGUI.
      el.hidden = false;
      el.removeAttribute("aria-busy");
      form.hidden = true;
      if (opener) opener.hidden = true;
      var results = document.getElementById("results");
      if (results) results.hidden = true;
      document.body.classList.add("has-yasgui");
      label();
      new MutationObserver(label).observe(el, { childList: true, subtree: true });
      state = "editor";
      if (focus) yasqe.focus();

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
          current.getYasqe().focus();
        });
      });
    }).catch(function () {
      state = "plain";          // the plain form stays, and works
      el.removeAttribute("aria-busy");
    });
  }

  field.addEventListener("focus", function () { start(true); });
  if (opener) {
    opener.hidden = false;
    opener.addEventListener("click", function () { start(true); });
  }
})();
