/* Keyboard shortcuts on app pages: / search, j/k move between board cards, Enter opens one, n new lead,
   e edit (a lead's edit page), ? lists them. Loaded from app.html; CSP forbids inline JS. */
(function () {
  "use strict";

  var SHORTCUTS = [
    ["/", "Focus the search box"],
    ["j", "Next card on the board"],
    ["k", "Previous card on the board"],
    ["Enter", "Open the focused card"],
    ["n", "New lead"],
    ["e", "Edit the lead (on its page)"],
    ["?", "Show these shortcuts"],
    ["Esc", "Close this dialog"],
  ];

  // Typing in a field must never trigger a shortcut.
  function isTyping(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
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
      var dt = document.createElement("dt");
      var key = document.createElement("kbd");
      key.textContent = pair[0];
      dt.appendChild(key);
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

  function cards() {
    // Document order is reading order: column by column, top to bottom.
    return Array.prototype.slice.call(document.querySelectorAll(".lead-card"));
  }

  function moveFocus(step) {
    var list = cards();
    if (!list.length) { return false; }
    var active = document.activeElement;
    var current = active && active.closest ? active.closest(".lead-card") : null;
    var index = list.indexOf(current);
    var next = index < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(Math.max(index + step, 0), list.length - 1);
    list[next].focus();
    list[next].scrollIntoView({ block: "nearest", inline: "nearest" });
    return true;
  }

  function focusSearch() {
    var search = document.querySelector("#main form[role=search] input[type=search], #main input[type=search]");
    if (!search) { return false; }
    search.focus();
    search.select();
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

  function openCard(card) {
    var link = card.querySelector("a[href]");
    if (!link) { return false; }
    window.location.assign(link.getAttribute("href"));
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) { return; }
    if (isTyping(event.target) || openDialog()) { return; }
    var handled = false;
    var active = document.activeElement;
    switch (event.key) {
      case "/": handled = focusSearch(); break;
      case "j": handled = moveFocus(1); break;
      case "k": handled = moveFocus(-1); break;
      case "n": window.location.assign("/leads/new"); handled = true; break;
      case "e": handled = focusEdit(); break;
      case "?": helpDialog().showModal(); handled = true; break;
      case "Enter":
        // Only the card itself: Enter on its link or Move button keeps its own meaning.
        if (active && active.classList && active.classList.contains("lead-card")) { handled = openCard(active); }
        break;
      default: break;
    }
    if (handled) { event.preventDefault(); }
  });
})();
