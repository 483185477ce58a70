/* The header bell: keeps the unread count live from the realtime stream. Hints go to the whole
   organisation and carry only the recipient's id, so this reacts to its own user's hints alone and
   refetches the bell fragment (the count itself never travels in a hint). */
(function () {
  "use strict";

  var REFRESH_DELAY_MS = 100;
  var region = document.getElementById("notification-bell");
  if (!region || !window.fetch) { return; }
  var me = region.getAttribute("data-user-id");
  var url = region.getAttribute("data-fragment-url");
  var timer = null;
  var inFlight = false;
  var again = false;

  function refresh() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // Replacing the region's content (not the region) is what screen readers announce.
        if (html !== null && region.innerHTML.trim() !== html.trim()) { region.innerHTML = html; }
      })
      .catch(function () { /* offline or signed out: the next hint or page load catches up */ })
      .then(function () {
        inFlight = false;
        if (again) { again = false; schedule(); }
      });
  }

  function schedule() {
    if (timer) { return; }
    // Debounced: several notifications in one burst become one fetch.
    timer = window.setTimeout(function () { timer = null; refresh(); }, REFRESH_DELAY_MS);
  }

  function forMe(event) {
    if (event.detail && event.detail.user_id === me) { schedule(); }
  }

  // Hints arrive through the page's one stream (live.js).
  document.addEventListener("salesos:notification.created", forMe);
  document.addEventListener("salesos:notification.read", forMe);
  // Missed events (a reconnect past the replay buffer, back online): refetch once.
  document.addEventListener("salesos:resync", schedule);
})();
