/* The lead page's composer tabs and stage path. Tabs follow the WAI-ARIA pattern (arrow keys, Home, End;
   the tab that opens is the server's choice, e.g. the one whose form was refused). A click on a lost stage
   in the path opens the Stage tab with that stage chosen and the reason field focused: a lost lead needs a
   reason, and asking first beats a refused request. Without this script every form shows, and the server
   asks for the reason. */
(function () {
  "use strict";

  var composer = document.querySelector("[data-tabs]");

  function tabs() {
    return composer ? Array.prototype.slice.call(composer.querySelectorAll("[data-tab]")) : [];
  }

  function panel(key) {
    return composer ? composer.querySelector('[data-panel="' + key + '"]') : null;
  }

  function select(key, focusTab) {
    var chosen = null;
    tabs().forEach(function (tab) {
      var on = tab.getAttribute("data-tab") === key;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      var box = panel(tab.getAttribute("data-tab"));
      if (box) { box.classList.toggle("is-active", on); }
      if (on) { chosen = tab; }
    });
    if (chosen && focusTab) { chosen.focus(); }
    return panel(key);
  }

  function firstField(box) {
    return box ? box.querySelector("textarea, input:not([type=hidden]), select") : null;
  }

  // Open a tab for the user to type in: its first field takes the focus and comes into view.
  function openForTyping(key) {
    var box = select(key, false);
    var target = firstField(box);
    if (target) {
      target.focus();
      target.scrollIntoView({ block: "center" });
    }
    return box;
  }

  function setUp() {
    if (!composer) { return; }
    var list = composer.querySelector("[data-tab-list]");
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", composer.getAttribute("aria-label") || "Record work");
    tabs().forEach(function (tab) {
      tab.setAttribute("role", "tab");
      var box = panel(tab.getAttribute("data-tab"));
      if (box) { box.setAttribute("role", "tabpanel"); }
    });
    list.addEventListener("click", function (event) {
      var tab = event.target.closest("[data-tab]");
      if (tab) { select(tab.getAttribute("data-tab"), true); }
    });
    list.addEventListener("keydown", function (event) {
      var all = tabs();
      var at = all.indexOf(document.activeElement);
      if (at < 0) { return; }
      var next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      var tab = all[(next + all.length) % all.length];
      select(tab.getAttribute("data-tab"), true);
    });
    // A link to a panel (#panel-task, e.g. from another page) opens its tab.
    var fromHash = /^#panel-(\w+)$/.exec(window.location.hash);
    if (fromHash && panel(fromHash[1])) { openForTyping(fromHash[1]); }
  }

  document.addEventListener("click", function (event) {
    if (!composer || !event.target.closest) { return; }
    var opener = event.target.closest("[data-open-tab]");
    if (opener && panel(opener.getAttribute("data-open-tab"))) {
      event.preventDefault();
      openForTyping(opener.getAttribute("data-open-tab"));
      return;
    }
    var preset = event.target.closest("button[data-fill]");
    var field = preset ? document.getElementById(preset.getAttribute("data-fill")) : null;
    if (field) {
      field.value = preset.getAttribute("data-value");
      field.focus();
      return;
    }
    var lost = event.target.closest('.stage-path button[data-stage-kind="lost"]');
    var stageSelect = document.getElementById("f-stage_id");
    if (lost && stageSelect && panel("stage")) {
      event.preventDefault();
      stageSelect.value = lost.value;
      select("stage", false);
      var reason = document.getElementById("f-lost_reason");
      if (reason) {
        reason.focus();
        reason.scrollIntoView({ block: "center" });
      }
    }
  });

  // Ctrl+Enter (Cmd+Enter on a Mac) in a note's box adds the note (or saves an edited one), as in most
  // places notes are written; Enter alone stays a new line. requestSubmit, not submit(): the form's own
  // checks and the submit listeners (offline.js keeps a note written offline) still run.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.altKey || event.isComposing) { return; }
    var box = event.target;
    if (!box || box.tagName !== "TEXTAREA" || box.name !== "body" || !box.form || box.readOnly) { return; }
    event.preventDefault();
    if (box.form.requestSubmit) {
      box.form.requestSubmit();
    } else {
      var button = box.form.querySelector("button[type=submit], button:not([type])");
      if (button) { button.click(); }
    }
  });

  // The way through the list the lead was opened from (list.js keeps its query for this tab): "Back to the
  // list" and "Next: …". Only while the person goes from the list to leads and from lead to lead; opened
  // from anywhere else, the page forgets that list.
  var LIST_KEY = "salesos.lead-list";

  function followList() {
    var grid = document.querySelector("[data-offline-lead]");
    var slot = document.querySelector("[data-next-lead-slot]");
    if (!grid || !slot || !window.fetch || document.documentElement.hasAttribute("data-offline-copy")) { return; }
    var query, came = "";
    try {
      query = window.sessionStorage.getItem(LIST_KEY);
      came = document.referrer ? new URL(document.referrer).pathname : "";
    } catch (e) { return; }
    if (query === null) { return; }
    if (came !== "/leads/list" && !/^\/leads\/[0-9a-f-]{36}(\/|$)/.test(came)) {
      window.sessionStorage.removeItem(LIST_KEY);
      return;
    }
    var back = document.getElementById("lead-back");
    if (back) {
      back.setAttribute("href", "/leads/list" + (query ? "?" + query : ""));
      back.textContent = "← Back to the list";
    }
    var url = "/leads/list/next?after=" + encodeURIComponent(grid.getAttribute("data-offline-lead")) + (query ? "&" + query : "");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { slot.innerHTML = html; })
      .catch(function () { /* offline: no Next */ });
  }

  followList();
  setUp();
})();
