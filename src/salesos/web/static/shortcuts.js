/* Keyboard shortcuts on app pages: / search (this page's, else the lead list's), and from the search box
   ArrowDown (or Enter, once the results are for what was typed) to the first result; j/k move between
   board cards or list rows (j on a lead opened from the list: its next lead), Enter opens one, n new lead
   (from any page, for those who may create one), e edit (a lead's edit page), c the note box on a lead's
   page, ? lists them, with the board's own [ / ] (board.js) and the note box's Ctrl+Enter
   (lead_workspace.js) where they apply. Loaded from app.html; CSP forbids inline JS. */
(function () {
  "use strict";

  // Where "/" goes from a page without a search box; focusOnArrival (below) focuses the list's search there.
  var LEAD_SEARCH_URL = "/leads/list?focus=search";
  // Links that start a new lead: the board's and list's "New lead" buttons, the dashboard's "Add a lead".
  // n follows one when the page has it (the board's names its pipeline), else goes to the form itself.
  var NEW_LEAD_LINK = '#main a[href="/leads/new"], #main a[href^="/leads/new?"]';
  var NEW_LEAD_URL = "/leads/new";

  // [key (or keys), what it does, shown only when this says the page has it (optional)]
  var SHORTCUTS = [
    ["/", "Search (this page's search box, or the lead list's)"],
    ["↓", "From the search box: to the first result (so does Enter once the results are shown)"],
    ["j", "Next lead (board card, list row, or the list's next lead on a lead's page)"],
    ["k", "Previous lead (board card or list row)"],
    ["Enter", "Open the focused lead"],
    [["[", "]"], "Move the focused card one stage back / forward", canMoveCards],
    ["n", "New lead", function () { return !!newLeadUrl(); }],
    ["e", "Edit the lead (on its page)"],
    ["c", "Write a note on the lead", function () { return !!noteBox(); }],
    [["Ctrl+Enter", "⌘+Enter"], "Add the note being written", function () { return !!noteBox(); }],
    ["?", "Show these shortcuts"],
    ["Esc", "Close this dialog"],
  ];

  // Typing in a field must never trigger a shortcut; a focused checkbox or button takes no text, so j/k
  // still move on from a ticked list row.
  var NOT_TEXT = { checkbox: true, radio: true, button: true, submit: true, reset: true };
  function isTyping(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    if (tag === "input") { return !NOT_TEXT[(target.getAttribute("type") || "text").toLowerCase()]; }
    return tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  // The user menu shows the caller's role as a badge: a Viewer may not create leads, and n must not
  // send them to a refusal.
  function canCreateLeads() { return !document.querySelector(".user-menu .badge-viewer"); }

  // Where n goes: this page's "New lead" link, else the form; nowhere for a Viewer or on the form itself
  // (reloading it would lose what was typed there).
  function newLeadUrl() {
    var link = document.querySelector(NEW_LEAD_LINK);
    if (link) { return link.getAttribute("href"); }
    if (!canCreateLeads() || window.location.pathname === NEW_LEAD_URL) { return null; }
    return NEW_LEAD_URL;
  }

  // The board's [ / ] (board.js), for those who may move its cards.
  function canMoveCards() {
    var board = document.getElementById("board");
    return !!board && board.getAttribute("data-can-write") === "true";
  }

  function openDialog() {
    return document.querySelector("dialog[open]");
  }

  function helpDialog() {
    var dialog = document.getElementById("shortcuts-dialog");
    if (dialog) { return dialog; }
    // Built here rather than in the layout so every app page gets it from this one file.
    dialog = document.createElement("dialog");
    dialog.id = "shortcuts-dialog";
    dialog.className = "shortcuts-dialog";
    dialog.setAttribute("aria-labelledby", "shortcuts-h");
    var heading = document.createElement("h2");
    heading.id = "shortcuts-h";
    heading.textContent = "Keyboard shortcuts";
    var list = document.createElement("dl");
    list.className = "shortcuts-list";
    SHORTCUTS.forEach(function (pair) {
      if (pair[2] && !pair[2]()) { return; }
      var dt = document.createElement("dt");
      [].concat(pair[0]).forEach(function (name, index) {
        if (index) { dt.appendChild(document.createTextNode(" / ")); }
        var key = document.createElement("kbd");
        key.textContent = name;
        dt.appendChild(key);
      });
      var dd = document.createElement("dd");
      dd.textContent = pair[1];
      list.appendChild(dt);
      list.appendChild(dd);
    });
    var form = document.createElement("form");
    form.method = "dialog";
    form.className = "dialog-actions";
    var close = document.createElement("button");
    close.type = "submit";
    close.className = "btn btn-secondary";
    close.textContent = "Close";
    form.appendChild(close);
    dialog.appendChild(heading);
    dialog.appendChild(list);
    dialog.appendChild(form);
    document.body.appendChild(dialog);
    return dialog;
  }

  // What j/k step through: the board's cards (focusable themselves) or the list's rows (by their lead
  // link, so Enter opens it natively and no row needs a tabindex). Document order is reading order.
  function leads() {
    var list = document.querySelectorAll(".lead-card");
    if (list.length) { return { items: Array.prototype.slice.call(list), of: ".lead-card", target: null }; }
    list = document.querySelectorAll("#main tr[data-lead-id]");
    return { items: Array.prototype.slice.call(list), of: "tr[data-lead-id]", target: "a[href]" };
  }

  function moveFocus(step) {
    var found = leads();
    var list = found.items;
    if (!list.length) { return false; }
    var active = document.activeElement;
    var current = active && active.closest ? active.closest(found.of) : null;
    var index = list.indexOf(current);
    var next = index < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(Math.max(index + step, 0), list.length - 1);
    var item = list[next];
    var focusable = found.target ? item.querySelector(found.target) : item;
    if (!focusable) { return false; }
    focusable.focus();
    item.scrollIntoView({ block: "nearest", inline: "nearest" });
    return true;
  }

  function searchBox() {
    return document.querySelector("#main form[role=search] input[type=search], #main input[type=search]");
  }

  // --- from the search box to the results --------------------------------------------------------------
  // The search asks as you type, so the results are usually there by the time the user looks for them;
  // Tab would first go through every filter and button. ArrowDown goes to the first result. Enter does
  // too once the results shown are for what was typed (sending them again would change nothing); before
  // that it sends the search as usual and the focus follows when its results arrive.
  var focusResultsWhenShown = false;

  // The search the results on the page were made for: the list's (data-query) or the board's (data-filters).
  function shownQuery() {
    var results = document.getElementById("list-results") || document.getElementById("board");
    if (!results) { return null; }
    var query = results.getAttribute("data-query");
    if (query === null) { query = results.getAttribute("data-filters") || ""; }
    return (new URLSearchParams(query).get("q") || "").trim();
  }

  function toFirstResult() {
    if (!moveFocus(1)) { return false; }
    focusResultsWhenShown = false;
    return true;
  }

  function fromSearch(event) {
    var search = event.target;
    // (The caller has let through only keys without Ctrl, Cmd or Alt.)
    if (!search || search !== searchBox() || event.shiftKey) { return; }
    if (event.key === "ArrowDown") {
      if (toFirstResult()) { event.preventDefault(); }
    } else if (event.key === "Enter") {
      var shown = shownQuery();
      if (shown !== null && shown === search.value.trim() && toFirstResult()) {
        event.preventDefault();
      } else {
        focusResultsWhenShown = shownQuery() !== null;
      }
    }
  }

  // The results of the search Enter sent (the board's or the list's filter bar swaps them in).
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusResultsWhenShown) { return; }
    focusResultsWhenShown = false;
    // Only if the user is still where they pressed Enter: one who has gone on keeps their place.
    if (document.activeElement === searchBox()) { moveFocus(1); }
  });

  // --- the note box on a lead's page ----------------------------------------------------------------
  function noteBox() { return document.querySelector("#main [data-shortcut=note]"); }

  function focusNote() {
    var box = noteBox();
    if (!box) { return false; }
    // The note form is a composer tab (lead_workspace.js): open it first, as a click on its tab would.
    var panel = box.closest("[data-panel]");
    if (panel && !panel.classList.contains("is-active")) {
      var tab = document.getElementById("tab-" + panel.getAttribute("data-panel"));
      if (tab) { tab.click(); }
    }
    box.focus();
    box.scrollIntoView({ block: "center" });
    return true;
  }

  // This page's search box, or, on a page without one, the lead list with its search focused.
  function focusSearch() {
    var search = searchBox();
    if (!search) {
      window.location.assign(LEAD_SEARCH_URL);
      return true;
    }
    search.focus();
    search.select();
    return true;
  }

  function newLead() {
    var url = newLeadUrl();
    if (!url) { return false; }
    window.location.assign(url);
    return true;
  }

  function focusEdit() {
    // A lead's page marks its Edit link, the edit page its first field: follow the one, focus the other.
    var target = document.querySelector("#main [data-shortcut=edit]");
    if (!target) { return false; }
    if (target.tagName.toLowerCase() === "a") {
      window.location.assign(target.getAttribute("href"));
      return true;
    }
    target.focus();
    target.scrollIntoView({ block: "center" });
    return true;
  }

  // On a lead opened from the List, its "Next: …" link (lead_workspace.js) is where j goes.
  function nextLead() {
    var link = document.querySelector("#main a[data-next-lead]");
    if (!link) { return false; }
    window.location.assign(link.getAttribute("href"));
    return true;
  }

  function openCard(card) {
    var link = card.querySelector("a[href]");
    if (!link) { return false; }
    window.location.assign(link.getAttribute("href"));
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) { return; }
    if (isTyping(event.target)) {
      fromSearch(event);
      return;
    }
    if (openDialog()) { return; }
    var handled = false;
    var active = document.activeElement;
    switch (event.key) {
      case "/": handled = focusSearch(); break;
      case "j": handled = moveFocus(1) || nextLead(); break;
      case "k": handled = moveFocus(-1); break;
      case "n": handled = newLead(); break;
      case "e": handled = focusEdit(); break;
      case "c": handled = focusNote(); break;
      case "?": helpDialog().showModal(); handled = true; break;
      case "Enter":
        // Only the card itself: Enter on its link or Move button keeps its own meaning.
        if (active && active.classList && active.classList.contains("lead-card")) { handled = openCard(active); }
        break;
      default: break;
    }
    if (handled) { event.preventDefault(); }
  });

  // Arriving from "/" on another page: focus the search, then drop the marker so a reload doesn't.
  function focusOnArrival() {
    var params = new URLSearchParams(window.location.search);
    if (params.get("focus") !== "search" || !searchBox()) { return; }
    focusSearch();
    params.delete("focus");
    var rest = params.toString();
    window.history.replaceState(window.history.state, "", window.location.pathname + (rest ? "?" + rest : ""));
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusOnArrival);
  } else {
    focusOnArrival();
  }
})();
