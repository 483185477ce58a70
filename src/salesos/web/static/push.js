/* Push settings: turn notifications on for this device (an explicit click, as browsers require), then
   register the subscription with the server. Works with the root-scoped service worker (/sw.js). */
(function () {
  "use strict";

  var section = document.getElementById("push-settings");
  if (!section) { return; }
  var button = document.getElementById("push-enable");
  var status = document.getElementById("push-status");

  function say(text) { status.textContent = text; }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function deviceLabel() {
    var ua = navigator.userAgent;
    var browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome"
      : /Safari\//.test(ua) ? "Safari" : "Browser";
    var system = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS"
      : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "this device";
    return browser + " on " + system;
  }

  function register(subscription) {
    var body = subscription.toJSON();
    body.label = deviceLabel();
    return fetch("/api/v1/push/subscriptions", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": section.getAttribute("data-csrf") },
      body: JSON.stringify({ endpoint: body.endpoint, keys: body.keys, label: body.label })
    }).then(function (response) {
      if (!response.ok) { throw new Error("The server refused this device (" + response.status + ")."); }
    });
  }

  function enable() {
    button.disabled = true;
    say("Asking your browser…");
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        throw new Error("Notifications are blocked for this site; allow them in the browser's site settings.");
      }
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(section.getAttribute("data-public-key"))
        });
      });
    }).then(register).then(function () {
      say("Notifications are on for this device.");
      window.location.reload();
    }).catch(function (error) {
      say(error.message || "Could not turn notifications on.");
      button.disabled = false;
    });
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("This browser can't receive push notifications.");
    return;
  }
  button.hidden = false;
  button.addEventListener("click", enable);
})();
