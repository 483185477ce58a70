/* SalesOS offline, what the page shows about it: the offline banner, the header's "Offline · 2 waiting",
   the status area fixed at the bottom of the window ("2 changes saved", "Sign in again"), refused changes
   named until dismissed, the message next to the form just used, and a lead's notes and stage moves waiting
   to be sent. offline.js decides when (queueing, replaying); this file only shows, and keeps in
   sessionStorage what must still be said after the reload that follows a replay. Nothing runs on load:
   it is window.SalesOSOfflineStatus, used by offline-forms.js and offline.js, loaded after it. */
(function () {
  "use strict";

  var NOTICES_KEY = "salesos-offline-notices";
  var SENT_KEY = "salesos-offline-sent";
  var SENT_FOR_MS = 8000;

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

  function noticeCount() {
    return readNotices().length;
  }

  // "2 changes saved: Delta Dairy and Echo Eggs." Returns what was said, for other tabs and the reload.
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
    showSent(text, refused);
    return { text: text, refused: refused, at: Date.now() };
  }

  // Said again after the reload that follows a replay (a few seconds at most: it is news, not history).
  function keepSentForReload(news) {
    try {
      if (news) { window.sessionStorage.setItem(SENT_KEY, JSON.stringify(news)); }
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

  function signInAgain() {
    var here = window.location.pathname + window.location.search;
    showStatus("Sign in again to send the changes kept on this device.", {
      error: true,
      persistent: true,
      link: { href: "/login?next=" + encodeURIComponent(here), text: "Sign in" },
    });
  }

  // Signing out deletes what this device kept for the user, these messages with the rest.
  function forget() {
    writeNotices([]);
    try {
      window.sessionStorage.removeItem(SENT_KEY);
    } catch (error) {
      // No storage: nothing kept there.
    }
  }

  // --- What waits to be sent: the lead's pending notes and stage moves --------------------------------------
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

  // What the page shows of the queue (all of this scope's entries): pending items, the header's count;
  // "Saved on this device" goes once nothing of this lead waits any more (sent from this tab or another).
  function render(all) {
    var mine = renderPending(all);
    showIndicator(all.length);
    if (!mine.length) {
      each('[data-offline-slot="queued"][data-offline-state="saved"]', function (box) { box.remove(); });
    }
  }

  window.SalesOSOfflineStatus = {
    leadRoot: leadRoot, offlineCopyTime: offlineCopyTime, main: main, plural: plural,
    formMessage: formMessage, showBanner: showBanner, showIndicator: showIndicator, signInAgain: signInAgain,
    addNotice: addNotice, noticeCount: noticeCount, showNotices: showNotices,
    announceSent: announceSent, showSent: showSent, keepSentForReload: keepSentForReload,
    showSentAfterReload: showSentAfterReload, forget: forget, pendingStage: pendingStage, render: render,
  };
})();
