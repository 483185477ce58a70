/* SalesOS offline, the page side. On a lead page with no connection (or a copy served by the service worker),
   a new note or a stage change goes into the offline queue (offline-queue.js) and shows as "pending sync".
   On every page load and on the `online` event the queue is replayed; refused changes are named in a
   message, and the page reloads to show the server's version unless the user is typing. */
(function () {
  "use strict";

  var NOTICES_KEY = "salesos-offline-notices";
  var MAX_RETRY_MS = 60000;
  // Entries belong to one user in one organisation (the session the API call will run as).
  var script = document.currentScript;
  var scope = script ? script.getAttribute("data-scope") || "" : "";
  var replaying = false;
  var retryMs = 2000;
  var retryTimer = null;

  var queue = window.SalesOSOfflineQueue;
  if (!queue || !scope) {
    return;
  }

  function allEntries() {
    return queue.entries(scope);
  }

  // --- The page -------------------------------------------------------------------------------------------
  function leadRoot() {
    return document.querySelector("[data-offline-lead]");
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function offlineCopyTime() {
    return document.documentElement.getAttribute("data-offline-copy");
  }

  function main() {
    return document.getElementById("main") || document.body;
  }

  function slot(name, className, role) {
    var element = document.querySelector('[data-offline-slot="' + name + '"]');
    if (!element) {
      element = document.createElement("div");
      element.setAttribute("data-offline-slot", name);
      element.className = className;
      element.setAttribute("role", role);
      var flash = document.getElementById("flash");
      var parent = main();
      parent.insertBefore(element, flash ? flash.nextSibling : parent.firstChild);
    }
    return element;
  }

  function showBanner() {
    var copy = offlineCopyTime();
    var existing = document.querySelector('[data-offline-slot="banner"]');
    if (copy === null && navigator.onLine) {
      if (existing) { existing.remove(); }
      return;
    }
    var text;
    if (copy !== null) {
      var when = new Date(copy);
      var label = isNaN(when.getTime())
        ? "an earlier visit"
        : when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
      text = "Offline — showing the copy from " + label + ".";
    } else {
      text = "You are offline.";
    }
    if (leadRoot()) {
      text += " New notes and stage changes are kept on this device and sent when you are back online.";
    }
    slot("banner", "alert alert-info offline-banner", "status").textContent = text;
  }

  var noticesInMemory = [];

  function readNotices() {
    try {
      var stored = window.sessionStorage.getItem(NOTICES_KEY);
      return stored ? JSON.parse(stored) : [];
    } catch (error) {
      return noticesInMemory;
    }
  }

  function writeNotices(list) {
    noticesInMemory = list;
    try {
      if (list.length) {
        window.sessionStorage.setItem(NOTICES_KEY, JSON.stringify(list));
      } else {
        window.sessionStorage.removeItem(NOTICES_KEY);
      }
    } catch (error) {
      // Storage refused (a locked-down private window): the messages live until this page goes.
    }
  }

  // Refused changes are told until dismissed, across the reload that follows a replay.
  function showNotices() {
    var list = readNotices();
    var box = document.querySelector('[data-offline-slot="notices"]');
    if (!list.length) {
      if (box) { box.remove(); }
      return;
    }
    box = slot("notices", "alert alert-error offline-notices", "alert");
    box.textContent = "";
    var intro = document.createElement("p");
    intro.textContent = list.length === 1
      ? "A change made offline was not applied:"
      : "Changes made offline were not applied:";
    var items = document.createElement("ul");
    list.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      items.appendChild(item);
    });
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "btn btn-small btn-secondary";
    dismiss.textContent = "Dismiss";
    dismiss.addEventListener("click", function () {
      writeNotices([]);
      showNotices();
    });
    box.appendChild(intro);
    box.appendChild(items);
    box.appendChild(dismiss);
  }

  function addNotice(text) {
    var list = readNotices();
    list.push(text);
    writeNotices(list);
  }

  function pendingList(form, name) {
    var list = document.querySelector('[data-offline-slot="' + name + '"]');
    if (!list && form) {
      list = document.createElement("ul");
      list.setAttribute("data-offline-slot", name);
      list.className = "note-list pending-list";
      list.setAttribute("aria-label", "Waiting to sync");
      form.parentNode.insertBefore(list, form.nextSibling);
    }
    return list;
  }

  function pendingItem(text) {
    var item = document.createElement("li");
    item.className = "note is-pending";
    var meta = document.createElement("p");
    meta.className = "small muted";
    var badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = "Pending sync";
    meta.appendChild(badge);
    var body = document.createElement("div");
    body.className = "pending-body";
    body.textContent = text;
    item.appendChild(meta);
    item.appendChild(body);
    return item;
  }

  // The stage the user sees: the lead's, or the target of their last queued move.
  function seenStage(root, entries) {
    var stage = root.getAttribute("data-stage-id");
    entries.forEach(function (entry) {
      if (entry.kind === "stage") { stage = entry.body.stage_id; }
    });
    return stage;
  }

  function renderPending() {
    var root = leadRoot();
    if (!root) {
      return Promise.resolve();
    }
    var leadId = root.getAttribute("data-offline-lead");
    return allEntries().then(function (all) {
      var entries = all.filter(function (entry) { return entry.leadId === leadId; });
      var notes = pendingList(document.querySelector('form[data-offline="note"]'), "pending-notes");
      var stages = pendingList(document.querySelector('form[data-offline="stage"]'), "pending-stages");
      [notes, stages].forEach(function (list) { if (list) { list.textContent = ""; } });
      entries.forEach(function (entry) {
        var list = entry.kind === "note" ? notes : stages;
        if (list) {
          list.appendChild(pendingItem(entry.text));
        }
      });
    });
  }

  function leadName() {
    var heading = document.querySelector("main h1");
    return heading ? heading.textContent.trim() : "this lead";
  }

  function excerpt(text) {
    var flat = text.replace(/\s+/g, " ").trim();
    return flat.length > 40 ? flat.slice(0, 39) + "…" : flat;
  }

  function mustQueue() {
    return !navigator.onLine || offlineCopyTime() !== null;
  }

  // randomUUID() exists only in secure contexts; a plain-HTTP intranet install gets the same from random bytes.
  function newKey() {
    if (window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // --- Queueing from the lead page's forms --------------------------------------------------------------
  function queueNote(form, root) {
    var field = form.querySelector('textarea[name="body"]');
    var body = field ? field.value.trim() : "";
    if (!body) {
      return Promise.resolve(false);
    }
    var leadId = root.getAttribute("data-offline-lead");
    return queue.add({
      scope: scope,
      leadId: leadId,
      kind: "note",
      method: "POST",
      url: "/api/v1/leads/" + leadId + "/notes",
      body: { body: body },
      key: newKey(),
      text: body,
      label: "your note on " + leadName() + " (“" + excerpt(body) + "”)",
      createdAt: new Date().toISOString(),
    }).then(function () {
      field.value = "";
      return true;
    });
  }

  // The target stage: the clicked button of the stage path, else the Stage form's select.
  function stageTarget(form, submitter) {
    if (submitter && submitter.name === "stage_id") {
      return { id: submitter.value, name: submitter.getAttribute("data-stage-name") || submitter.textContent.trim() };
    }
    var select = form.querySelector('select[name="stage_id"]');
    if (!select || select.selectedIndex < 0) {
      return null;
    }
    var option = select.options[select.selectedIndex];
    return { id: option.value, name: option.textContent.trim(), select: select, option: option };
  }

  function queueStage(form, root, submitter) {
    var target = stageTarget(form, submitter);
    var reason = form.querySelector('textarea[name="lost_reason"]');
    if (!target) {
      return Promise.resolve(false);
    }
    var leadId = root.getAttribute("data-offline-lead");
    return allEntries().then(function (all) {
      var expected = seenStage(root, all.filter(function (entry) { return entry.leadId === leadId; }));
      if (target.id === expected) {
        return false;
      }
      var body = { stage_id: target.id, expected_stage_id: expected };
      if (reason && reason.value.trim()) {
        body.lost_reason = reason.value.trim();
      }
      return queue.add({
        scope: scope,
        leadId: leadId,
        kind: "stage",
        method: "PATCH",
        url: "/api/v1/leads/" + leadId,
        body: body,
        key: newKey(),
        text: "Move to " + target.name,
        label: "moving " + leadName() + " to " + target.name,
        createdAt: new Date().toISOString(),
      }).then(function () {
        if (reason) { reason.value = ""; }
        // What the user now sees is the stage they chose; the select keeps showing it.
        if (target.select) {
          Array.prototype.forEach.call(target.select.options, function (option) {
            option.defaultSelected = option === target.option;
          });
        }
        return true;
      });
    });
  }

  // Any other form sent with no connection would leave the page for the browser's error page, and what
  // was typed with it. It stays, and says why nothing happened.
  function holdUnsendable(event) {
    var form = event.target;
    var method = (form.getAttribute("method") || "get").toLowerCase();
    if (method !== "post" || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    slot("not-sent", "alert alert-error", "alert").textContent =
      "You are offline, so this was not sent. Try again when you are back online"
      + (leadRoot() ? " (new notes and stage changes are kept on this device until then)." : ".");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var kind = form && form.getAttribute ? form.getAttribute("data-offline") : null;
    var root = leadRoot();
    if (form && form.getAttribute && !(kind && root) && mustQueue()) {
      holdUnsendable(event);
      return;
    }
    if (!kind || !root || !mustQueue() || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    var queued = kind === "note" ? queueNote(form, root) : queueStage(form, root, event.submitter);
    queued.then(function (kept) {
      return renderPending().then(function () {
        slot("queued", "alert alert-success", "status").textContent = kept
          ? "Saved on this device; it will be sent when you are back online."
          : (kind === "note" ? "Write a note first." : "Nothing to change: the lead is already at that stage.");
      });
    }).catch(function (error) {
      addNotice("Could not keep the change on this device: " + error);
      showNotices();
    });
  });

  function pageIsClean() {
    var fields = main().querySelectorAll("input, textarea, select");
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

  function replay() {
    if (replaying || !navigator.onLine) {
      return Promise.resolve();
    }
    replaying = true;
    return queue.drain(scope, csrfToken(), addNotice).then(function (result) {
      showNotices();
      if (result.stopped) {
        if (result.reason === "signed-out") {
          slot("queued", "alert alert-error", "status").textContent =
            "Sign in again to send the changes kept on this device.";
        }
        scheduleRetry();
        return renderPending();
      }
      retryMs = 2000;
      // A copy from the cache or a lead with changes applied behind it: show the server's version now,
      // unless the user is typing something.
      var root = leadRoot();
      var leadId = root ? root.getAttribute("data-offline-lead") : null;
      var changed = leadId !== null && result.settled.indexOf(leadId) !== -1;
      var stale = changed || offlineCopyTime() !== null;
      // Reloading a deleted lead would only show "not found"; the message says what happened instead.
      var deleted = leadId !== null && result.gone.indexOf(leadId) !== -1;
      if (stale && !deleted && pageIsClean()) {
        return (changed ? Promise.resolve(true) : reachable()).then(function (up) {
          if (up) {
            // Messages sit at the top of the page: open the reloaded page there, not where it was scrolled.
            if (readNotices().length && "scrollRestoration" in window.history) {
              window.history.scrollRestoration = "manual";
            }
            window.location.reload();
          }
        });
      }
      return renderPending();
    }).catch(function (error) {
      if (window.console) {
        window.console.warn("Offline queue replay failed:", error);
      }
    }).then(function () {
      replaying = false;
    });
  }

  window.addEventListener("online", function () {
    showBanner();
    replay();
  });
  window.addEventListener("offline", showBanner);

  if ("scrollRestoration" in window.history && window.history.scrollRestoration !== "auto") {
    // Back to normal once this load (opened at the top for the messages) is done.
    window.addEventListener("load", function () {
      window.setTimeout(function () { window.history.scrollRestoration = "auto"; }, 0);
    });
  }
  if (offlineCopyTime() !== null) {
    // The copy was saved right after some action ("Note added."); that news is not news any more.
    Array.prototype.forEach.call(main().querySelectorAll(".alert-success"), function (old) { old.remove(); });
  }
  showBanner();
  showNotices();
  renderPending().then(replay, function (error) {
    // No IndexedDB here (a locked-down private window): the page works as without this script.
    if (window.console) {
      window.console.warn("Offline queue unavailable:", error);
    }
  });
})();
