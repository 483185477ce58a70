/* A campaign page follows its run: the live region (status, progress, counters, prospects) is refetched
   on a "campaign.progress" hint about this campaign (debounced), and HTMX polls it while the run goes on.
   Ticked prospects stay ticked across a refresh. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 500;
  var timer = null;
  var ticked = [];

  function region() { return document.getElementById("campaign-live"); }

  function refresh() {
    var live = region();
    if (live && window.htmx) { window.htmx.trigger(live, "campaign-progress"); }
  }

  document.addEventListener("salesos:campaign.progress", function (event) {
    var live = region();
    if (!live || !event.detail || event.detail.campaign_id !== live.getAttribute("data-campaign-id")) { return; }
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(function () { timer = null; refresh(); }, DEBOUNCE_MS);
  });
  document.addEventListener("salesos:resync", refresh);

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target !== region()) { return; }
    ticked = Array.prototype.map.call(
      document.querySelectorAll("#campaign-live input[name=ids]:checked"), function (box) { return box.value; });
  });
  document.addEventListener("htmx:afterSettle", function () {
    ticked.forEach(function (id) {
      var box = document.querySelector('#campaign-live input[name=ids][value="' + id + '"]');
      if (box) { box.checked = true; }
    });
    ticked = [];
  });
})();
