/* The lead List page: auto-submitting views, the in-place filter results, row selection with "select all N
   matching", the bulk bar (shown while something is ticked) and the lost-reason prompt. Loaded only on
   /leads/list; the CSP forbids inline handlers. Everything here is an enhancement: the forms work without it. */
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }
  function checks() { return Array.prototype.slice.call(document.querySelectorAll(".row-check")); }
  function ticked() { return checks().filter(function (c) { return c.checked; }); }
  function total() {
    var results = $("list-results");
    return results ? parseInt(results.getAttribute("data-total") || "0", 10) : 0;
  }
  function allMatching() { var f = $("all-matching"); return f && f.value === "1"; }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  // One polite region speaks for the parts that are swapped or hidden (they can't announce themselves).
  function announce(text) {
    var live = $("list-live");
    if (live) { live.textContent = text; }
  }

  function setAllMatching(on) {
    var field = $("all-matching");
    if (field) { field.value = on ? "1" : ""; }
    checks().forEach(function (c) { if (on) { c.checked = true; } });
    refresh();
  }

  // The bar says what a bulk action would change; "select all N" appears once the whole page is ticked.
  // Returns the count's text.
  function refresh() {
    var count = $("bulk-count");
    if (!count) { return ""; }
    var n = ticked().length;
    var all = allMatching();
    var shown = checks().length;
    if (all) {
      count.textContent = "All " + total() + " matching leads selected";
    } else if (n === 0) {
      count.textContent = "No leads selected";
    } else {
      count.textContent = plural(n, "lead") + " selected";
    }
    var offer = $("bulk-select-all");
    if (offer) { offer.hidden = all || !(n > 0 && n === shown && total() > shown); }
    var pick = $("select-all-matching");
    if (pick) { pick.textContent = "Select all " + total() + " matching leads"; }
    var page = $("select-page");
    if (page) {
      page.checked = shown > 0 && n === shown;
      page.indeterminate = n > 0 && n < shown;
    }
    var bar = $("bulk-form");
    var selected = all || n > 0;
    $("clear-selection").hidden = !selected;
    // Hiding the bar must not drop focus to <body>: it goes back to the table's "select all" box.
    var focusWasInBar = bar.contains(document.activeElement);
    bar.classList.toggle("has-selection", selected);
    if (focusWasInBar && !bar.offsetParent) {
      (page || $("f-q")).focus();
    }
    return count.textContent;
  }

  function clearSelection() {
    checks().forEach(function (c) { c.checked = false; });
    setAllMatching(false);
    announce($("bulk-count").textContent);
    var page = $("select-page");
    if (page) { page.focus(); }
  }

  function toggleLost() {
    var select = $("bulk-stage");
    var box = $("bulk-lost");
    if (!select || !box) { return; }
    var option = select.options[select.selectedIndex];
    var lost = !!option && option.getAttribute("data-kind") === "lost";
    box.hidden = !lost;
    $("bulk-lost-reason").required = lost;
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.requestSubmit();
      return;
    }
    if (target.id === "select-page") {
      checks().forEach(function (c) { c.checked = target.checked; });
      if (!target.checked) { setAllMatching(false); }
      announce(refresh());
    } else if (target.classList && target.classList.contains("row-check")) {
      if (!target.checked && allMatching()) { setAllMatching(false); }
      announce(refresh());
    } else if (target.id === "bulk-stage") {
      toggleLost();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.id === "select-all-matching") {
      setAllMatching(true);
      announce($("bulk-count").textContent);
      $("clear-selection").focus();
    } else if (target.id === "clear-selection") {
      clearSelection();
    }
  });

  // Escape in the bar (outside a select) clears the selection, as in other lists' action bars; in the
  // "Save view…" panel it closes the panel, back on its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.target.tagName === "SELECT") { return; }
    var panel = event.target.closest ? event.target.closest("details.view-save[open]") : null;
    if (panel) {
      panel.open = false;
      panel.querySelector("summary").focus();
      return;
    }
    var bar = $("bulk-form");
    if (bar && bar.classList.contains("has-selection") && bar.contains(event.target)) { clearSelection(); }
  });

  // Opening "Save view…" is asking to type its name.
  document.addEventListener("toggle", function (event) {
    var panel = event.target;
    if (panel.classList && panel.classList.contains("view-save") && panel.open) { $("f-view-name").focus(); }
  }, true);

  // A lost stage asks why before the form goes: focus the reason instead of sending an empty one.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "bulk-form") { return; }
    var button = event.submitter;
    if (!allMatching() && ticked().length === 0) {
      event.preventDefault();
      $("bulk-count").textContent = "Tick at least one lead first";
      announce("Tick at least one lead first");
      return;
    }
    if (button && button.value === "stage") {
      var reason = $("bulk-lost-reason");
      if (!$("bulk-lost").hidden && !reason.value.trim()) {
        event.preventDefault();
        reason.focus();
      }
    }
  });

  // New results for new filters: the selection was of other rows, so it starts over (a kept "all matching"
  // would silently retarget to the new filters); the export link follows; the new count is announced.
  function resultsReplaced() {
    var field = $("all-matching");
    if (field) { field.value = ""; }
    var query = $("list-results").getAttribute("data-query") || "";
    var exportLink = $("export-csv");
    if (exportLink) { exportLink.setAttribute("href", "/leads/list/export.csv" + (query ? "?" + query : "")); }
    var exportCount = $("export-count");
    if (exportCount) { exportCount.textContent = " of the " + total() + " matching leads"; }
    // The filters no longer are the opened saved view's: the picker says "All leads", and the view's
    // Delete button goes with it (it would delete a view no longer shown).
    var view = $("f-view");
    if (view) { view.value = ""; }
    var deleteView = $("view-delete");
    if (deleteView) { deleteView.remove(); }
    refresh();
    announce(plural(total(), "lead") + " found");
  }

  // Rows added by "Load more" join the selection when everything matching is selected.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "list-results") {
      resultsReplaced();
      return;
    }
    if (allMatching()) { checks().forEach(function (c) { c.checked = true; }); }
    refresh();
  });

  // Rows the live refresh (below) removed may have been ticked: the bar counts again.
  document.addEventListener("salesos:list-rows-changed", function () { refresh(); });

  // "View saved.", "Updated 3 of 3 leads.": the notice is shown once. Its words come from the address
  // (post/redirect/get), which then drops them, so a reload or a shared link does not say it again.
  var OUTCOME_PARAMS = ["done", "updated", "matched", "missing"];
  function forgetOutcome() {
    var params = new URLSearchParams(window.location.search);
    if (!params.has("done") || !window.history.replaceState) { return; }
    OUTCOME_PARAMS.forEach(function (name) { params.delete(name); });
    var rest = params.toString();
    window.history.replaceState(window.history.state, "", window.location.pathname + (rest ? "?" + rest : "") + window.location.hash);
  }

  function init() {
    toggleLost();
    refresh();
    forgetOutcome();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* Live rows: a hint about a lead shown in the table asks the server for that row under the list's filters
   and swaps it in place, wherever it is in the table (the first page or one loaded with "Load more"); a
   lead that no longer matches the filters (the answer leaves it out) leaves the table. New leads only
   raise a notice, so the table never reorders under the reader's hands. */
(function () {
  "use strict";

  var REFRESH_DELAY_MS = 250;
  // As many as the server answers at once (LIVE_MAX_IDS); a bigger burst takes several requests.
  var IDS_PER_REQUEST = 100;
  var table = document.querySelector("[data-lead-id]");
  if (!window.fetch) { return; }
  var pending = {};
  var timer = null;

  function row(id) { return document.getElementById("row-" + id); }

  function notice(text) {
    var flash = document.getElementById("flash");
    if (flash) { flash.textContent = text; }
  }

  function rowsChanged() { document.dispatchEvent(new CustomEvent("salesos:list-rows-changed")); }

  function apply(ids, html) {
    var fresh = document.createElement("template");
    fresh.innerHTML = html;
    var removed = false;
    ids.forEach(function (id) {
      var current = row(id);
      if (!current || current.contains(document.activeElement)) { return; }
      var replacement = fresh.content.getElementById("row-" + id);
      if (!replacement) {
        current.remove();
        removed = true;
        return;
      }
      var box = current.querySelector(".row-check");
      var checked = box && box.checked;
      current.innerHTML = replacement.innerHTML;
      var again = current.querySelector(".row-check");
      if (again && checked) { again.checked = true; }
    });
    if (removed) { rowsChanged(); }
  }

  function fetchRows(ids, query) {
    var params = new URLSearchParams(query);
    ids.forEach(function (id) { params.append("ids", id); });
    fetch("/leads/list/live?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
      .then(function (html) { if (html !== null) { apply(ids, html); } })
      .catch(function () { /* offline: the next hint or a reload catches up */ });
  }

  function refresh() {
    var ids = Object.keys(pending).filter(function (id) { return !!row(id); });
    pending = {};
    timer = null;
    var results = document.getElementById("list-results");
    if (!results) { return; }
    // The filters the rows were loaded with (the address bar may carry a saved view's id instead).
    var query = results.getAttribute("data-query") || "";
    for (var start = 0; start < ids.length; start += IDS_PER_REQUEST) {
      fetchRows(ids.slice(start, start + IDS_PER_REQUEST), query);
    }
  }

  function schedule(id) {
    if (!row(id)) { return; }
    pending[id] = true;
    if (!timer) { timer = window.setTimeout(refresh, REFRESH_DELAY_MS); }
  }

  if (!table && !document.getElementById("list-results")) { return; }
  document.addEventListener("salesos:lead.updated", function (event) {
    if (event.detail && event.detail.lead_id) { schedule(event.detail.lead_id); }
  });
  document.addEventListener("salesos:lead.deleted", function (event) {
    var current = event.detail && event.detail.lead_id ? row(event.detail.lead_id) : null;
    if (current) {
      current.remove();
      rowsChanged();
    }
  });
  document.addEventListener("salesos:lead.created", function () {
    notice("New leads arrived. Reload the list to see them.");
  });
  document.addEventListener("salesos:resync", function () {
    notice("The list may have changed while you were away. Reload it to see the latest.");
  });

  // Opening a lead from here makes this list the one its page steps through ("Next: …", lead_workspace.js):
  // the filters and sort, never a lead's data, kept for this tab only.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('#list-results a[href^="/leads/"]') : null;
    var results = document.getElementById("list-results");
    if (!link || !results || !/^\/leads\/[0-9a-f-]{36}$/.test(link.getAttribute("href"))) { return; }
    try {
      window.sessionStorage.setItem("salesos.lead-list", results.getAttribute("data-query") || "");
    } catch (e) { /* storage off: the lead page just offers no Next */ }
  });
})();
