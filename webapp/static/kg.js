// Progressive enhancement only: every page works without this file.
// 1. "Copy IRI" buttons (hidden unless scripting is on).
// 2. Paging of incoming-link groups in place, instead of reloading the whole page.
(function () {
  "use strict";
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) { return; }
      navigator.clipboard.writeText(source.textContent).then(function () {
        var before = button.textContent;
        button.textContent = "✓";
        setTimeout(function () { button.textContent = before; }, 1500);
      });
    });
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-incoming]");
    if (!link) { return; }
    var group = link.closest(".ingroup");
    if (!group || !window.fetch || !window.DOMParser) { return; }
    event.preventDefault();
    fetch(link.href, { headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById(group.id);
        if (!fresh) { window.location.href = link.href; return; }
        group.replaceWith(document.importNode(fresh, true));
        var heading = document.getElementById(group.id).querySelector("h3");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      })
      .catch(function () { window.location.href = link.href; });
  });
})();
