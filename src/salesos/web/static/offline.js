/* SalesOS offline, the page side. On a lead page with no connection (or a copy served by the service worker),
   a new note or a stage change goes into the offline queue (offline-queue.js, through offline-forms.js) and
   shows as "pending sync". On every page load and on the `online` event the queue is replayed; what was
   saved is said in the status area at the bottom of the window, refused changes are named in a message, and
   the page reloads to show the server's version unless the user is typing. The header says "Offline" and
   how many changes wait, on every page and in every tab. What the page shows is offline-status.js's; this
   file decides when: which form is queued, signing out with changes unsent, the replay and its retries.
   (The offline page is offline-queue.js's: it has no session to replay for.) */
(function () {
  "use strict";

  var MAX_RETRY_MS = 60000;
  // Entries belong to one user in one organisation (the session the API call will run as).
  var script = document.currentScript;
  var scope = script ? script.getAttribute("data-scope") || "" : "";
  var replayRun = null;
  var retryMs = 2000;
  var retryTimer = null;

  var queue = window.SalesOSOfflineQueue;
  if (!queue || !scope) {
    return;
  }
  // offline-status.js and offline-forms.js, loaded before this file (see start() for a page that lacks them).
  var status = null;
  var forms = null;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // What the page shows of the queue: see status.render.
  function refresh() {
    return queue.entries(scope).then(status.render);
  }

  function mustQueue() {
    return !navigator.onLine || status.offlineCopyTime() !== null;
  }

  // --- Forms sent with no connection ---------------------------------------------------------------------
  // A form that is not queued (any but the lead page's note and stage forms), sent with no connection, would
  // leave the page for the browser's error page, and what was typed with it. It stays, and says why nothing
  // happened.
  function holdUnsendable(event) {
    var form = event.target;
    var method = (form.getAttribute("method") || "get").toLowerCase();
    if (method !== "post" || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    status.formMessage(form, "not-sent",
      "You are offline, so this was not sent. Try again when you are back online"
      + (status.leadRoot() ? " (new notes and stage changes are kept on this device until then)." : "."), true);
  }

  // --- Signing out ------------------------------------------------------------------------------------------
  // Queued changes hold what the user typed (note text, lead names): signing out warns while some are unsent
  // and, when the user goes anyway, deletes them with the rest of this device's copy (sw.js drops the cached
  // lead pages on the same request).
  function forgetDevice() {
    status.forget();
    return queue.clear();
  }

  function signOut(form) {
    queue.entries(null).then(function (all) {
      if (all.length) {
        warnSignOut(form, all.length);
        return undefined;
      }
      return forgetDevice().then(function () { form.submit(); });
    }).catch(function () {
      form.submit();
    });
  }

  function warnSignOut(form, count) {
    var box = document.querySelector('[data-offline-slot="sign-out"]');
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("data-offline-slot", "sign-out");
      box.className = "alert alert-error offline-sign-out";
      box.setAttribute("role", "alert");
      form.parentNode.insertBefore(box, form.nextSibling);
    }
    box.textContent = "";
    var text = document.createElement("p");
    text.textContent = status.plural(count, "change", "changes")
      + " not yet sent will be lost if you sign out now.";
    var send = document.createElement("button");
    send.type = "button";
    send.className = "btn btn-small btn-primary";
    send.textContent = "Send them first";
    var leave = document.createElement("button");
    leave.type = "button";
    leave.className = "btn btn-small btn-danger-outline";
    leave.textContent = "Sign out anyway";
    var actions = document.createElement("div");
    actions.className = "row-actions";
    actions.appendChild(send);
    actions.appendChild(leave);
    box.appendChild(text);
    box.appendChild(actions);
    send.focus();
    send.addEventListener("click", function () {
      send.disabled = true;
      text.textContent = "Sending…";
      replay().then(function () { return queue.entries(null); }).then(function (left) {
        if (!left.length) {
          text.textContent = "All changes sent. Signing out…";
          form.submit();
          return;
        }
        send.disabled = false;
        text.textContent = status.plural(left.length, "change", "changes") + " could not be sent now"
          + (navigator.onLine ? "" : " (you are offline)") + " and will be lost if you sign out.";
      });
    });
    leave.addEventListener("click", function () {
      leave.disabled = true;
      forgetDevice().then(function () { form.submit(); }, function () { form.submit(); });
    });
  }

  // Every form's submit: a lead page's note or stage form is queued, any other post is held, and signing
  // out checks the queue first.
  function onSubmit(event) {
    var form = event.target;
    var kind = form && form.getAttribute ? form.getAttribute("data-offline") : null;
    var root = status.leadRoot();
    if (form && form.getAttribute && !(kind && root) && mustQueue()) {
      holdUnsendable(event);
      return;
    }
    if (form && form.getAttribute && form.getAttribute("action") === "/logout" && !event.defaultPrevented) {
      event.preventDefault();
      signOut(form);
      return;
    }
    if (!kind || !root || !mustQueue() || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    var queued = kind === "note"
      ? forms.queueNote(scope, form, root)
      : forms.queueStage(scope, form, root, event.submitter);
    queued.then(function (told) {
      return refresh().then(function () {
        if (told) {
          status.formMessage(form, "queued", told.text, told.error, told.state);
        }
        // An offline copy kept open after the connection came back: send now rather than on the next load.
        if (told && told.state === "saved" && navigator.onLine) {
          replay();
        }
      });
    }).catch(function (error) {
      status.addNotice("Could not keep the change on this device: " + error);
      status.showNotices();
    });
  }

  // --- Replaying the queue -----------------------------------------------------------------------------------
  function pageIsClean() {
    var fields = status.main().querySelectorAll("input, textarea, select");
    return Array.prototype.every.call(fields, function (field) {
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") {
        return true;
      }
      if (field.tagName === "SELECT") {
        var options = Array.prototype.slice.call(field.options);
        var asRendered = options.every(function (option) { return option.selected === option.defaultSelected; });
        // With nothing marked selected in the HTML, a single select starts on its first option.
        var untouched = !options.some(function (option) { return option.defaultSelected; })
          && field.selectedIndex <= 0;
        return asRendered || untouched;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        return field.checked === field.defaultChecked;
      }
      return field.value === field.defaultValue;
    });
  }

  function scheduleRetry() {
    if (retryTimer !== null) {
      return;
    }
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      replay();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  }

  function reachable() {
    return window.fetch("/healthz", { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok; }, function () { return false; });
  }

  // One replay at a time in this tab; a caller (sign-out) waits for the one running.
  function replay() {
    if (replayRun) {
      return replayRun;
    }
    if (!navigator.onLine) {
      return Promise.resolve();
    }
    var refusedBefore = status.noticeCount();
    var news = null;
    replayRun = queue.drain(scope, csrfToken(), status.addNotice).then(function (result) {
      status.showNotices();
      var refused = status.noticeCount() - refusedBefore;
      if (result.sent.length || refused) {
        news = status.announceSent(result.sent, refused);
        // Another tab of the same user says it too: the user may be looking at that one.
        queue.tell({ type: "sent", scope: scope, text: news.text, refused: refused });
      }
      if (result.stopped) {
        if (result.reason === "signed-out") {
          status.signInAgain();
        }
        scheduleRetry();
        return refresh();
      }
      retryMs = 2000;
      // A copy from the cache or a lead with changes applied behind it: show the server's version now,
      // unless the user is typing something.
      var root = status.leadRoot();
      var leadId = root ? root.getAttribute("data-offline-lead") : null;
      var changed = leadId !== null && result.settled.indexOf(leadId) !== -1;
      var stale = changed || status.offlineCopyTime() !== null;
      // Reloading a deleted lead would only show "not found"; the message says what happened instead.
      var deleted = leadId !== null && result.gone.indexOf(leadId) !== -1;
      if (stale && !deleted && pageIsClean()) {
        return (changed ? Promise.resolve(true) : reachable()).then(function (up) {
          if (up) {
            // Messages sit at the top of the page: open the reloaded page there, not where it was scrolled.
            if (status.noticeCount() && "scrollRestoration" in window.history) {
              window.history.scrollRestoration = "manual";
            }
            status.keepSentForReload(news);
            window.location.reload();
          }
        });
      }
      return refresh();
    }).catch(function (error) {
      if (window.console) {
        window.console.warn("Offline queue replay failed:", error);
      }
    }).then(function () {
      replayRun = null;
    });
    return replayRun;
  }

  // --- Start ------------------------------------------------------------------------------------------------
  function start() {
    status = window.SalesOSOfflineStatus;
    forms = window.SalesOSOfflineForms;
    if (!status || !forms) {
      return;
    }
    document.addEventListener("submit", onSubmit);
    queue.onChange(function (message) {
      if (message.type === "sent" && message.scope === scope) {
        status.showSent(message.text, message.refused);
      }
      refresh().catch(function () { /* the store went away: the next load catches up */ });
    });

    window.addEventListener("online", function () {
      status.showBanner();
      refresh();
      replay();
    });
    window.addEventListener("offline", function () {
      status.showBanner();
      refresh();
    });

    if ("scrollRestoration" in window.history && window.history.scrollRestoration !== "auto") {
      // Back to normal once this load (opened at the top for the messages) is done.
      window.addEventListener("load", function () {
        window.setTimeout(function () { window.history.scrollRestoration = "auto"; }, 0);
      });
    }
    if (status.offlineCopyTime() !== null) {
      // The copy was saved right after some action ("Note added."); that news is not news any more.
      Array.prototype.forEach.call(status.main().querySelectorAll(".alert-success"), function (old) {
        old.remove();
      });
    }
    status.showBanner();
    status.showNotices();
    status.showSentAfterReload();
    status.showIndicator(0);
    refresh().then(replay, function (error) {
      // No IndexedDB here (a locked-down private window): the page works as without this script.
      if (window.console) {
        window.console.warn("Offline queue unavailable:", error);
      }
    });
  }

  // Deferred scripts run in document order, so the two files are here already. A lead page the service
  // worker cached before they existed (cached lead pages outlive shell upgrades, sw.js) loads only
  // offline-queue.js and this file: the parts it lacks are loaded first (precached, so offline too), in order.
  var missing = [];
  if (!window.SalesOSOfflineStatus) { missing.push("/static/offline-status.js"); }
  if (!window.SalesOSOfflineForms) { missing.push("/static/offline-forms.js"); }
  if (!missing.length) {
    start();
    return;
  }
  missing.forEach(function (src, index) {
    var tag = document.createElement("script");
    tag.src = src;
    tag.async = false;
    if (index === missing.length - 1) {
      tag.addEventListener("load", start);
    }
    document.head.appendChild(tag);
  });
})();
