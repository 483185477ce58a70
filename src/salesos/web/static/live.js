/* One realtime stream per page. It re-dispatches every hint as a DOM event on document, named
   "salesos:<event>" with the parsed data as detail, so the board, the list, the lead page and the bell
   share one connection (browsers allow six per host over HTTP/1.1).

   Catching up: EventSource reconnects by itself and resumes with Last-Event-ID (the server replays from
   its buffer, or sends "resync"). Offline, the stream is closed instead of retrying in vain; back online a
   new stream starts and listeners get "salesos:resync" to refetch what they show. */
(function () {
  "use strict";

  var EVENTS = ["lead.created", "lead.updated", "lead.deleted", "notification.created", "notification.read",
    "campaign.progress", "resync"];
  var root = document.documentElement;
  var source = null;

  function dispatch(name, data) {
    document.dispatchEvent(new CustomEvent("salesos:" + name, { detail: data || {} }));
  }

  function relay(name) {
    return function (event) {
      var data = {};
      try { data = JSON.parse(event.data || "{}") || {}; } catch (error) { /* a malformed hint is ignored */ }
      dispatch(name, data);
    };
  }

  function open() {
    if (source) { return; }
    source = new EventSource("/api/v1/events");
    EVENTS.forEach(function (name) { source.addEventListener(name, relay(name)); });
    // Says when the page is live (and lets tests wait for the stream rather than guess).
    source.addEventListener("open", function () { root.setAttribute("data-live", "true"); });
    source.addEventListener("error", function () { root.setAttribute("data-live", "false"); });
  }

  function close() {
    if (source) { source.close(); source = null; }
    root.setAttribute("data-live", "false");
  }

  if (!window.EventSource || !document.querySelector("[data-live-stream]")) { return; }
  window.addEventListener("offline", close);
  window.addEventListener("online", function () { open(); dispatch("resync", {}); });
  window.addEventListener("pagehide", close);
  if (navigator.onLine !== false) { open(); }
})();
