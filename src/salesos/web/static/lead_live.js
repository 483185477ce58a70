/* The lead page follows changes made elsewhere (another user, another tab, an import): on a hint about
   this lead it refetches the page and swaps in the regions marked data-live-region (facts, timeline,
   notes, tasks, contacts). A region holding the focus is left alone, and forms are outside the regions,
   so nothing being typed is lost. A deleted lead says so instead. */
(function () {
  "use strict";

  var REFRESH_DELAY_MS = 250;
  var grid = document.querySelector("[data-offline-lead]");
  // An offline copy from the service worker's cache has nothing live to follow.
  if (!grid || !window.fetch || !window.DOMParser || document.documentElement.hasAttribute("data-offline-copy")) {
    return;
  }
  var leadId = grid.getAttribute("data-offline-lead");
  var timer = null;

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    document.querySelectorAll("[data-live-region]").forEach(function (region) {
      var replacement = fresh.getElementById(region.id);
      if (!replacement || region.contains(document.activeElement)) { return; }
      if (region.innerHTML !== replacement.innerHTML) { region.innerHTML = replacement.innerHTML; }
    });
    var stage = fresh.querySelector("[data-offline-lead]");
    if (stage) { grid.setAttribute("data-stage-id", stage.getAttribute("data-stage-id") || ""); }
  }

  function refresh() {
    fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.status === 404) { gone(); return null; }
        return response.ok && !response.redirected ? response.text() : null;
      })
      .then(function (html) { if (html) { swap(html); } })
      .catch(function () { /* offline: "online" brings a resync */ });
  }

  function schedule() {
    if (timer) { return; }
    timer = window.setTimeout(function () { timer = null; refresh(); }, REFRESH_DELAY_MS);
  }

  function gone() {
    var flash = document.getElementById("flash");
    if (flash) { flash.textContent = "This lead was deleted or merged into another one."; }
  }

  function aboutThisLead(event) { return event.detail && event.detail.lead_id === leadId; }

  document.addEventListener("salesos:lead.updated", function (event) { if (aboutThisLead(event)) { schedule(); } });
  document.addEventListener("salesos:lead.deleted", function (event) { if (aboutThisLead(event)) { gone(); } });
  document.addEventListener("salesos:resync", schedule);
})();
