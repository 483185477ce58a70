/* The pipeline board: drag and drop, keyboard moves ([ and ]), the lost-reason dialog, and live
   updates from the realtime stream. Loaded only on /leads; the CSP forbids inline handlers. */
(function () {
  "use strict";

  var REFRESH_DELAY_MS = 250;

  function boardEl() { return document.getElementById("board"); }
  function canWrite() { var b = boardEl(); return b && b.getAttribute("data-can-write") === "true"; }
  function filters() { var b = boardEl(); return b ? b.getAttribute("data-filters") || "" : ""; }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function say(text, isError) {
    var status = document.getElementById("board-status");
    if (status) {
      status.textContent = text;
      status.classList.toggle("is-error", !!isError);
    }
  }

  function stageColumns() {
    return Array.prototype.slice.call(document.querySelectorAll(".board-column"));
  }

  function columnOf(stageId) {
    return document.querySelector('.board-column[data-stage-id="' + stageId + '"]');
  }

  // Patch the board with a card-update fragment: the card moves to its column's top, heads are replaced.
  function applyUpdate(html, leadId) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    var old = document.getElementById("card-" + leadId);
    var card = tpl.content.querySelector(".lead-card");
    if (old && (!card || old.getAttribute("data-stage-id") !== card.getAttribute("data-stage-id"))) {
      old.remove();
      old = null;
    }
    if (card) {
      var column = columnOf(card.getAttribute("data-stage-id"));
      if (old) {
        old.replaceWith(card);
      } else if (column) {
        var list = column.querySelector(".board-cards");
        list.insertBefore(card, list.firstChild);
      }
      if (window.htmx) { window.htmx.process(card); }
    }
    tpl.content.querySelectorAll(".column-head").forEach(function (head) {
      var current = document.getElementById(head.id);
      if (current) { current.replaceWith(head); }
    });
    return card;
  }

  function askLostReason() {
    var dialog = document.getElementById("lost-dialog");
    if (!dialog || !dialog.showModal) {
      var typed = window.prompt("Why was this lead lost?");
      return Promise.resolve(typed && typed.trim() ? typed.trim() : null);
    }
    var input = dialog.querySelector("textarea");
    input.value = "";
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        var reason = input.value.trim();
        resolve(dialog.returnValue === "ok" && reason ? reason : null);
      });
      dialog.returnValue = "";
      dialog.showModal();
      input.focus();
    });
  }

  function moveCard(card, stageId) {
    var leadId = card.getAttribute("data-lead-id");
    if (!stageId || stageId === card.getAttribute("data-stage-id")) { return; }
    var column = columnOf(stageId);
    var isLost = column && column.getAttribute("data-stage-kind") === "lost";
    var reason = isLost ? askLostReason() : Promise.resolve("");
    reason.then(function (lostReason) {
      if (lostReason === null) {
        say("Move cancelled: a lost lead needs a reason.", true);
        card.focus();
        return;
      }
      var body = new URLSearchParams(filters());
      body.set("stage_id", stageId);
      body.set("lost_reason", lostReason);
      body.set("csrf_token", csrfToken());
      card.classList.add("is-moving");
      fetch("/leads/" + leadId + "/stage", {
        method: "POST",
        credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken(), "Accept": "text/html" },
        body: body,
      }).then(function (response) {
        return response.text().then(function (text) { return { ok: response.ok, text: text }; });
      }).then(function (result) {
        card.classList.remove("is-moving");
        if (!result.ok) {
          var tpl = document.createElement("template");
          tpl.innerHTML = result.text;
          say(tpl.content.textContent.trim() || "The move failed.", true);
          card.focus();
          return;
        }
        var moved = applyUpdate(result.text, leadId);
        var name = column ? column.querySelector("h2").textContent : "the new stage";
        say("Moved to " + name + ".", false);
        if (moved) { moved.focus(); }
      }).catch(function () {
        card.classList.remove("is-moving");
        say("The move failed: check your connection and try again.", true);
      });
    });
  }

  // --- drag and drop --------------------------------------------------------------------------------
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".lead-card[draggable]") : null;
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-lead-id"));
    card.classList.add("is-dragging");
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("is-dragging"); }
    stageColumns().forEach(function (c) { c.classList.remove("is-drop-target"); });
    dragged = null;
  });
  document.addEventListener("dragover", function (event) {
    var column = dragged && event.target.closest ? event.target.closest(".board-column") : null;
    if (!column) { return; }
    event.preventDefault(); // allows the drop
    event.dataTransfer.dropEffect = "move";
    stageColumns().forEach(function (c) { c.classList.toggle("is-drop-target", c === column); });
  });
  document.addEventListener("drop", function (event) {
    var column = dragged && event.target.closest ? event.target.closest(".board-column") : null;
    if (!column) { return; }
    event.preventDefault();
    var card = dragged;
    column.classList.remove("is-drop-target");
    moveCard(card, column.getAttribute("data-stage-id"));
  });

  // --- keyboard: the Move form, and [ / ] on a focused card -----------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("card-move")) { return; }
    event.preventDefault();
    moveCard(form.closest(".lead-card"), form.querySelector("select").value);
  });
  document.addEventListener("keydown", function (event) {
    if ((event.key !== "[" && event.key !== "]") || !canWrite()) { return; }
    var card = document.activeElement;
    if (!card || !card.classList || !card.classList.contains("lead-card")) { return; }
    var ids = stageColumns().map(function (c) { return c.getAttribute("data-stage-id"); });
    var index = ids.indexOf(card.getAttribute("data-stage-id")) + (event.key === "]" ? 1 : -1);
    event.preventDefault();
    if (index >= 0 && index < ids.length) { moveCard(card, ids[index]); }
  });

  // --- realtime: other users' changes -------------------------------------------------------------
  var pending = {};
  var timer = null;

  function refreshCard(leadId) {
    var query = filters();
    fetch("/leads/" + leadId + "/card" + (query ? "?" + query : ""), {
      credentials: "same-origin",
      headers: { "HX-Request": "true", "Accept": "text/html" },
    }).then(function (response) {
      if (response.status === 404) {
        var gone = document.getElementById("card-" + leadId);
        if (gone) { gone.remove(); }
        return null;
      }
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null && html !== undefined) { applyUpdate(html, leadId); }
    }).catch(function () { /* the next event or reload catches up */ });
  }

  function schedule(leadId) {
    pending[leadId] = true;
    if (timer) { return; }
    // Debounced: a burst of events (an import, a bulk edit) becomes one fetch per lead.
    timer = window.setTimeout(function () {
      var ids = Object.keys(pending);
      pending = {};
      timer = null;
      ids.forEach(refreshCard);
    }, REFRESH_DELAY_MS);
  }

  if (boardEl()) {
    // Hints arrive through the page's one stream (live.js).
    var onHint = function (event) {
      if (event.detail && event.detail.lead_id) { schedule(event.detail.lead_id); }
    };
    document.addEventListener("salesos:lead.created", onHint);
    document.addEventListener("salesos:lead.updated", onHint);
    document.addEventListener("salesos:lead.deleted", onHint);
    document.addEventListener("salesos:resync", function () {
      // Missed events: the board reloads itself through its own filter form.
      var form = document.getElementById("board-filters");
      if (form && window.htmx) { window.htmx.trigger(form, "submit"); }
    });
  }
})();
