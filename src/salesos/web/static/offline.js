/* SalesOS offline, the page side. On a lead page with no connection (or a copy served by the service worker),
   a new note or a stage change goes into the offline queue (offline-queue.js) and shows as "pending sync".
   On every page load and on the `online` event the queue is replayed; what was saved is said in the status
   area at the bottom of the window, refused changes are named in a message, and the page reloads to show
   the server's version unless the user is typing. The header says "Offline" and how many changes wait, on
   every page and in every tab. (The offline page is offline-queue.js's: it has no session to replay for.) */
(function () {
  "use strict";

  var NOTICES_KEY = "salesos-offline-notices";
  var SENT_KEY = "salesos-offline-sent";
  var SENT_FOR_MS = 8000;
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

  function allEntries() {
    return queue.entries(scope);
  }

  function each(selector, work) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), work);
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function when(iso) {
    var at = new Date(iso);
    return isNaN(at.getTime()) ? null : at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
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

  // Page-wide messages at the top of main: the offline banner (read when the page opens) and refusals
  // (shown after the reload that follows a replay, which opens the page at the top).
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

  // A message about a form sits right after it, where the user is looking, and comes into view. Only one
  // of each kind on the page: the latest is about the latest form used.
  function formMessage(form, name, text, error, state) {
    var old = document.querySelector('[data-offline-slot="' + name + '"]');
    if (old) { old.remove(); }
    var box = document.createElement("div");
    box.setAttribute("data-offline-slot", name);
    box.setAttribute("data-offline-state", state || "");
    box.className = "alert offline-form-message " + (error ? "alert-error" : "alert-success");
    box.setAttribute("role", error ? "alert" : "status");
    form.parentNode.insertBefore(box, form.nextSibling);
    // Filled once it is in the page: a live region announces a change of its text, not its first content.
    window.setTimeout(function () {
      box.textContent = text;
      box.scrollIntoView({ block: "nearest" });
    }, 30);
    return box;
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
      text = "Offline — showing the copy from " + (when(copy) || "an earlier visit") + ".";
    } else {
      text = "You are offline.";
    }
    if (leadRoot()) {
      text += " New notes and stage changes are kept on this device and sent when you are back online.";
    }
    slot("banner", "alert alert-info offline-banner", "status").textContent = text;
  }

  // The header's "Offline · 2 waiting": the banner scrolls away, the header stays (a sticky bar on a phone).
  function showIndicator(waiting) {
    var indicator = document.querySelector("[data-offline-indicator]");
    if (!indicator) { return; }
    var parts = [];
    if (!navigator.onLine) {
      parts.push("Offline");
    } else if (offlineCopyTime() !== null) {
      parts.push("Offline copy");  // back online, but this page (being typed in) is still the cached one
    }
    if (waiting) { parts.push(waiting + " waiting"); }
    indicator.hidden = !parts.length;
    indicator.textContent = parts.join(" · ");
    if (waiting) {
      var hint = document.createElement("span");
      hint.className = "visually-hidden";
      hint.textContent = " to be sent";
      indicator.appendChild(hint);
    }
  }

  // The status area (app.html) is fixed at the bottom of the window: news about the queue that is not about
  // the form in use (changes sent, "sign in again") is seen wherever the page is scrolled.
  var statusTimer = null;

  function showStatus(text, options) {
    var area = document.querySelector("[data-offline-status]");
    if (!area) { return; }
    var opts = options || {};
    window.clearTimeout(statusTimer);
    area.textContent = "";
    if (!text) { return; }
    var box = document.createElement("div");
    box.className = "alert offline-status-message " + (opts.error ? "alert-error" : "alert-success");
    var words = document.createElement("p");
    words.textContent = text;
    if (opts.link) {
      var link = document.createElement("a");
      link.href = opts.link.href;
      link.textContent = opts.link.text;
      if (opts.link.onclick) { link.addEventListener("click", opts.link.onclick); }
      words.appendChild(document.createTextNode(" "));
      words.appendChild(link);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn btn-small btn-secondary";
    close.textContent = "Dismiss";
    close.addEventListener("click", function () { showStatus(""); });
    box.appendChild(words);
    box.appendChild(close);
    area.appendChild(box);
    if (!opts.persistent) {
      statusTimer = window.setTimeout(function () { showStatus(""); }, SENT_FOR_MS);
    }
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
    box.id = "offline-notices";
    box.tabIndex = -1;
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

  // "2 changes saved: Delta Dairy and Echo Eggs."
  var lastSent = null;

  function announceSent(sent, refused) {
    var names = [];
    sent.forEach(function (entry) {
      if (entry.leadName && names.indexOf(entry.leadName) === -1) { names.push(entry.leadName); }
    });
    var text = sent.length ? plural(sent.length, "change", "changes") + " saved" : "";
    if (sent.length && names.length && names.length <= 3) {
      text += ": " + (names.length > 1 ? names.slice(0, -1).join(", ") + " and " : "") + names[names.length - 1];
    } else if (sent.length && names.length > 3) {
      text += " on " + names.length + " leads";
    }
    text += sent.length ? "." : "";
    if (refused) {
      text += (text ? " " : "") + plural(refused, "change was", "changes were") + " not applied.";
    }
    lastSent = { text: text, refused: refused, at: Date.now() };
    showSent(text, refused);
    return text;
  }

  // Said again after the reload that follows a replay (a few seconds at most: it is news, not history).
  function keepSentForReload() {
    try {
      if (lastSent) { window.sessionStorage.setItem(SENT_KEY, JSON.stringify(lastSent)); }
    } catch (error) {
      // Without storage the message goes with this page.
    }
  }

  function showSent(text, refused) {
    var notices = document.getElementById("offline-notices");
    showStatus(text, {
      error: refused > 0,
      link: refused && notices ? { href: "#offline-notices", text: "See which.", onclick: function (event) {
        event.preventDefault();
        var box = document.getElementById("offline-notices");
        if (box) {
          box.scrollIntoView({ block: "center" });
          box.focus({ preventScroll: true });
        }
      } } : null,
    });
  }

  function showSentAfterReload() {
    try {
      var stored = JSON.parse(window.sessionStorage.getItem(SENT_KEY) || "null");
      window.sessionStorage.removeItem(SENT_KEY);
      if (stored && Date.now() - stored.at < SENT_FOR_MS) {
        showSent(stored.text, stored.refused);
      }
    } catch (error) {
      // Nothing stored, or no storage.
    }
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

  // The last queued move of the lead: {id, name}, or null.
  function pendingStage(entries) {
    var stage = null;
    entries.forEach(function (entry) {
      if (entry.kind === "stage") {
        stage = { id: entry.body.stage_id, name: entry.stageName || entry.text.replace(/^Move to /, "") };
      }
    });
    return stage;
  }

  // The stage the user sees: the lead's, or the target of their last queued move.
  function seenStage(root, entries) {
    var pending = pendingStage(entries);
    return pending ? pending.id : root.getAttribute("data-stage-id");
  }

  function pendingMark(text, className) {
    var mark = document.createElement("span");
    mark.className = className;
    mark.setAttribute("data-offline-pending-mark", "");
    mark.textContent = text;
    return mark;
  }

  // Until it is sent, the chosen stage shows as pending in the stage path and beside the header's stage.
  function markPendingStage(stage) {
    each("[data-offline-pending-mark]", function (mark) { mark.remove(); });
    each(".stage-step.is-pending", function (step) { step.classList.remove("is-pending"); });
    if (!stage) { return; }
    each('.stage-path button[name="stage_id"]', function (button) {
      if (button.value === stage.id) {
        button.parentNode.classList.add("is-pending");
        button.appendChild(pendingMark(" (pending)", "stage-pending-tag"));
      }
    });
    var fact = document.querySelector("#live-facts dd");
    if (fact) {
      fact.appendChild(pendingMark(" → " + stage.name + " (pending)", "stage-pending"));
    }
  }

  function renderPending(all) {
    var root = leadRoot();
    if (!root) {
      return [];
    }
    var leadId = root.getAttribute("data-offline-lead");
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
    markPendingStage(pendingStage(entries));
    return entries;
  }

  // What the page shows of the queue: pending items, the header's count; "Saved on this device" goes once
  // nothing of this lead waits any more (sent from this tab or another).
  function refresh() {
    return allEntries().then(function (all) {
      var mine = renderPending(all);
      showIndicator(all.length);
      if (!mine.length) {
        each('[data-offline-slot="queued"][data-offline-state="saved"]', function (box) { box.remove(); });
      }
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
  // Each resolves to what to tell the user next to the form: {text, error, state}.
  var SAVED = { text: "Saved on this device; it will be sent when you are back online.", state: "saved" };

  function queueNote(form, root) {
    var field = form.querySelector('textarea[name="body"]');
    var body = field ? field.value.trim() : "";
    if (!body) {
      return Promise.resolve({ text: "Write a note first.", error: true });
    }
    var leadId = root.getAttribute("data-offline-lead");
    return queue.add({
      scope: scope,
      leadId: leadId,
      leadName: leadName(),
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
      return SAVED;
    });
  }

  // The target stage: the clicked button of the stage path, else the Stage form's select.
  function stageTarget(form, submitter) {
    if (submitter && submitter.name === "stage_id") {
      return {
        id: submitter.value,
        name: submitter.getAttribute("data-stage-name") || submitter.textContent.trim(),
        kind: submitter.getAttribute("data-stage-kind"),
      };
    }
    var select = form.querySelector('select[name="stage_id"]');
    if (!select || select.selectedIndex < 0) {
      return null;
    }
    var option = select.options[select.selectedIndex];
    return {
      id: option.value, name: option.textContent.trim(), kind: option.getAttribute("data-stage-kind"),
      select: select, option: option,
    };
  }

  // A lost lead needs a reason, as the server says when the form is sent online: asked here, before it is
  // queued, instead of a refusal on reconnect. The message sits under the field, which takes the focus.
  function reasonMissing(field, missing) {
    if (!field) { return; }
    var box = field.closest(".field");
    var error = document.getElementById("f-lost_reason-error");
    if (!missing) {
      if (error && error.hasAttribute("data-offline-reason-error")) {
        error.remove();
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
        if (box) { box.classList.remove("has-error"); }
      }
      return;
    }
    if (!error) {
      error = document.createElement("p");
      error.className = "field-error";
      error.id = "f-lost_reason-error";
      error.setAttribute("data-offline-reason-error", "");
      field.parentNode.insertBefore(error, field.nextSibling);
    }
    error.textContent = "Say why the lead was lost.";
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", error.id);
    if (box) { box.classList.add("has-error"); }
    field.focus();
    field.scrollIntoView({ block: "center" });
  }

  function queueStage(form, root, submitter) {
    var target = stageTarget(form, submitter);
    var reason = form.querySelector('textarea[name="lost_reason"]');
    if (!target) {
      return Promise.resolve(null);
    }
    var why = reason ? reason.value.trim() : "";
    if (target.kind === "lost" && !why) {
      reasonMissing(reason || document.getElementById("f-lost_reason"), true);
      return Promise.resolve(reason ? null : { text: "Say why the lead was lost.", error: true });
    }
    var leadId = root.getAttribute("data-offline-lead");
    return allEntries().then(function (all) {
      var mine = all.filter(function (entry) { return entry.leadId === leadId; });
      var expected = seenStage(root, mine);
      if (target.id === expected) {
        return pendingStage(mine)
          ? { text: "Moving to " + target.name + " is already waiting to be sent." }
          : { text: "Nothing to change: the lead is already at that stage." };
      }
      var body = { stage_id: target.id, expected_stage_id: expected };
      // The lead as this page showed it: the server refuses the move if anything changed since (someone
      // else's edit). A later move of the lead is rebased on the server's answer (offline-queue.js).
      var seenAt = root.getAttribute("data-lead-updated-at");
      if (seenAt) {
        body.expected_updated_at = seenAt;
      }
      if (why) {
        body.lost_reason = why;
      }
      return queue.add({
        scope: scope,
        leadId: leadId,
        leadName: leadName(),
        kind: "stage",
        method: "PATCH",
        url: "/api/v1/leads/" + leadId,
        body: body,
        key: newKey(),
        text: "Move to " + target.name,
        stageName: target.name,
        label: "moving " + leadName() + " to " + target.name,
        createdAt: new Date().toISOString(),
      }).then(function () {
        if (reason) { reason.value = ""; }
        reasonMissing(reason, false);
        // What the user now sees is the stage they chose; the select keeps showing it.
        if (target.select) {
          Array.prototype.forEach.call(target.select.options, function (option) {
            option.defaultSelected = option === target.option;
          });
        }
        return SAVED;
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
    formMessage(form, "not-sent", "You are offline, so this was not sent. Try again when you are back online"
      + (leadRoot() ? " (new notes and stage changes are kept on this device until then)." : "."), true);
  }

  // --- Signing out ------------------------------------------------------------------------------------------
  // Queued changes hold what the user typed (note text, lead names): signing out warns while some are unsent
  // and, when the user goes anyway, deletes them with the rest of this device's copy (sw.js drops the cached
  // lead pages on the same request).
  function forgetDevice() {
    writeNotices([]);
    try {
      window.sessionStorage.removeItem(SENT_KEY);
    } catch (error) {
      // No storage: nothing kept there.
    }
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
    text.textContent = plural(count, "change", "changes") + " not yet sent will be lost if you sign out now.";
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
        text.textContent = plural(left.length, "change", "changes") + " could not be sent now"
          + (navigator.onLine ? "" : " (you are offline)") + " and will be lost if you sign out.";
      });
    });
    leave.addEventListener("click", function () {
      leave.disabled = true;
      forgetDevice().then(function () { form.submit(); }, function () { form.submit(); });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var kind = form && form.getAttribute ? form.getAttribute("data-offline") : null;
    var root = leadRoot();
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
    var queued = kind === "note" ? queueNote(form, root) : queueStage(form, root, event.submitter);
    queued.then(function (told) {
      return refresh().then(function () {
        if (told) {
          formMessage(form, "queued", told.text, told.error, told.state);
        }
        // An offline copy kept open after the connection came back: send now rather than on the next load.
        if (told && told.state === "saved" && navigator.onLine) {
          replay();
        }
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

  function signInAgain() {
    var here = window.location.pathname + window.location.search;
    showStatus("Sign in again to send the changes kept on this device.", {
      error: true,
      persistent: true,
      link: { href: "/login?next=" + encodeURIComponent(here), text: "Sign in" },
    });
  }

  // One replay at a time in this tab; a caller (sign-out) waits for the one running.
  function replay() {
    if (replayRun) {
      return replayRun;
    }
    if (!navigator.onLine) {
      return Promise.resolve();
    }
    var refusedBefore = readNotices().length;
    lastSent = null;
    replayRun = queue.drain(scope, csrfToken(), addNotice).then(function (result) {
      showNotices();
      var refused = readNotices().length - refusedBefore;
      if (result.sent.length || refused) {
        var text = announceSent(result.sent, refused);
        // Another tab of the same user says it too: the user may be looking at that one.
        queue.tell({ type: "sent", scope: scope, text: text, refused: refused });
      }
      if (result.stopped) {
        if (result.reason === "signed-out") {
          signInAgain();
        }
        scheduleRetry();
        return refresh();
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
            keepSentForReload();
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

  queue.onChange(function (message) {
    if (message.type === "sent" && message.scope === scope) {
      showSent(message.text, message.refused);
    }
    refresh().catch(function () { /* the store went away: the next load catches up */ });
  });

  window.addEventListener("online", function () {
    showBanner();
    refresh();
    replay();
  });
  window.addEventListener("offline", function () {
    showBanner();
    refresh();
  });

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
  showSentAfterReload();
  showIndicator(0);
  refresh().then(replay, function (error) {
    // No IndexedDB here (a locked-down private window): the page works as without this script.
    if (window.console) {
      window.console.warn("Offline queue unavailable:", error);
    }
  });
})();
