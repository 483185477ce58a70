/* The pipeline board: drag and drop, keyboard moves ([ and ]), the lost-reason dialog, and live
   updates from the realtime stream. Loaded only on /leads; the CSP forbids inline handlers. What the
   columns do on their own (scrolling into view, "Load more") is board-columns.js. */
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
    connectionSaid = false;
    var status = document.getElementById("board-status");
    if (status) {
      status.textContent = text;
      status.classList.toggle("is-error", !!isError);
    }
  }

  function stageColumns() {
    return Array.prototype.slice.call(document.querySelectorAll(".board-column"));
  }

  // A card's lead id is in its element id ("card-<id>"): one attribute less on each of the board's cards.
  function leadIdOf(card) { return card.id.slice("card-".length); }

  function columnOf(stageId) {
    return document.querySelector('.board-column[data-stage-id="' + stageId + '"]');
  }

  // The element a card-scoped focus was on, as an index among the card's controls (-1: the card).
  var CONTROLS = "a[href], select, button, input:not([type=hidden])";

  function focusIndex(card) {
    var active = document.activeElement;
    if (!card || !active || !card.contains(active)) { return null; }
    return active === card ? -1 : Array.prototype.indexOf.call(card.querySelectorAll(CONTROLS), active);
  }

  function restoreFocus(card, index, selectValue) {
    var target = index >= 0 ? card.querySelectorAll(CONTROLS)[index] || card : card;
    // A half-made choice in the Move select survives a refresh of its card.
    if (selectValue !== null && target.tagName === "SELECT") { target.value = selectValue; }
    target.focus();
  }

  // The card's content without its per-response parts (the CSRF token is masked anew each time).
  function sameContent(a, b) {
    var strip = function (el) { return el.innerHTML.replace(/name="csrf_token" value="[^"]*"/, ""); };
    return strip(a) === strip(b);
  }

  // Remove a card; when it had focus, focus goes to a neighbour instead of falling to <body>.
  function removeCard(old) {
    var index = focusIndex(old);
    var next = old.nextElementSibling;
    var prev = old.previousElementSibling;
    old.remove();
    if (index === null) { return; }
    var neighbour = next && next.classList.contains("lead-card") ? next : prev;
    if (neighbour) { neighbour.focus(); }
  }

  // Patch the board with a card-update fragment: the card moves to its column's top, heads are replaced.
  // A card that stays in its column is patched in place and one that moves keeps the focus it had: the
  // realtime echo of one's own move arrives after the move and must not take focus away (or make a
  // screen reader announce the card again). Returns the card element now on the board, if any.
  function applyUpdate(html, leadId) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    var old = document.getElementById("card-" + leadId);
    var card = tpl.content.querySelector(".lead-card");
    if (old && !card) {
      removeCard(old);
    } else if (old && old.getAttribute("data-stage-id") === card.getAttribute("data-stage-id")) {
      if (!sameContent(old, card)) {
        var index = focusIndex(old);
        var active = document.activeElement;
        var select = index !== null && active.tagName === "SELECT" ? active.value : null;
        old.replaceChildren.apply(old, Array.prototype.slice.call(card.childNodes));
        if (index !== null && document.activeElement !== old) { restoreFocus(old, index, select); }
      }
      card = old;
    } else if (card) {
      var column = columnOf(card.getAttribute("data-stage-id"));
      if (!column) {
        if (old) { removeCard(old); }
        card = null;
      } else {
        var had = old ? focusIndex(old) : null;
        if (old) { old.remove(); }
        var list = column.querySelector(".board-cards");
        list.insertBefore(card, list.firstChild);
        if (window.htmx) { window.htmx.process(card); }
        if (had !== null) { restoreFocus(card, had, null); }
      }
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

  // A move that did not happen (cancelled, refused, failed) leaves the card where it is, and its Move
  // select says so again rather than naming the stage it did not go to.
  function showCurrentStage(card) {
    var select = card.querySelector(".card-move select");
    if (select) { select.value = card.getAttribute("data-stage-id"); }
  }

  // A move needs the server (it is not queued like the lead page's), and saying so beats "failed". The
  // message goes when the connection comes back ("online", below).
  var OFFLINE = "You are offline: moves need a connection. Try again when you are back online.";
  var connectionSaid = false;

  function sayOffline(card) {
    showCurrentStage(card);
    say(OFFLINE, true);
    connectionSaid = true;
  }

  function moveCard(card, stageId) {
    var leadId = leadIdOf(card);
    if (!stageId || stageId === card.getAttribute("data-stage-id")) { return; }
    if (navigator.onLine === false) {
      sayOffline(card);
      return;
    }
    var column = columnOf(stageId);
    var isLost = column && column.getAttribute("data-stage-kind") === "lost";
    var reason = isLost ? askLostReason() : Promise.resolve("");
    // A realtime refresh may have replaced the element meanwhile: act on the one on the board.
    var live = function () { return document.getElementById("card-" + leadId) || card; };
    reason.then(function (lostReason) {
      if (lostReason === null) {
        showCurrentStage(live());
        say("Move cancelled: a lost lead needs a reason.", true);
        live().focus();
        return;
      }
      var body = new URLSearchParams(filters());
      body.set("stage_id", stageId);
      // The stage the card showed: a move made against a card another user has moved since is refused
      // (their move is not undone), and the card is refreshed to show where it is now.
      body.set("expected_stage_id", live().getAttribute("data-stage-id"));
      body.set("lost_reason", lostReason);
      body.set("csrf_token", csrfToken());
      card.classList.add("is-moving");
      fetch("/leads/" + leadId + "/stage", {
        method: "POST",
        credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken(), "Accept": "text/html" },
        body: body,
      }).then(function (response) {
        return response.text().then(function (text) { return { ok: response.ok, status: response.status, text: text }; });
      }).then(function (result) {
        card.classList.remove("is-moving");
        live().classList.remove("is-moving");
        if (!result.ok) {
          showCurrentStage(live());
          var tpl = document.createElement("template");
          tpl.innerHTML = result.text;
          say(tpl.content.textContent.trim() || "The move failed.", true);
          live().focus();
          if (result.status === 409) { schedule(leadId); }
          return;
        }
        var active = document.activeElement;
        var moved = applyUpdate(result.text, leadId);
        // Focus follows the card (applyUpdate keeps it when the card had it; after a drop it was
        // nowhere), but a user who has gone on to something else keeps their place. Focus first: the
        // polite announcement then queues after the card's own.
        if (moved && (!active || active === document.body || active === card || card.contains(active))) {
          if (!moved.contains(document.activeElement)) { moved.focus(); }
        }
        var name = column ? column.querySelector("h2").textContent : "the new stage";
        say("Moved to " + name + ".", false);
      }).catch(function () {
        card.classList.remove("is-moving");
        live().classList.remove("is-moving");
        if (navigator.onLine === false) {
          sayOffline(live());
          return;
        }
        showCurrentStage(live());
        say("The move failed: check your connection and try again.", true);
        connectionSaid = true;
      });
    });
  }

  window.addEventListener("online", function () {
    if (!connectionSaid) { return; }
    connectionSaid = false;
    say("", false);
  });

  // --- drag and drop --------------------------------------------------------------------------------
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".lead-card[draggable]") : null;
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", leadIdOf(card));
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

  function nameOf(column) { return column ? column.querySelector("h2").textContent.trim() : "This stage"; }

  // Where [ / ] take a card: one step along the open stages. Won and Lost are outcomes, not steps: ] from
  // the last open stage closes the deal as won (as a drag to Won would), [ from Won takes that back to the
  // last open stage, and nothing goes between Won and Lost or on into Lost (that needs a reason and is a
  // decision, made in the Move menu). Returns the column, or a sentence saying why there is none.
  function keyTarget(card, forward) {
    var columns = stageColumns();
    var here = columnOf(card.getAttribute("data-stage-id"));
    var kind = here ? here.getAttribute("data-stage-kind") : "open";
    var open = columns.filter(function (c) { return c.getAttribute("data-stage-kind") === "open"; });
    var won = columns.filter(function (c) { return c.getAttribute("data-stage-kind") === "won"; });
    var at = open.indexOf(here);
    if (kind === "won") {
      return forward || !open.length
        ? nameOf(here) + " is an outcome, not a step: pick another stage in the card's Move menu."
        : open[open.length - 1];
    }
    if (kind !== "open" || at < 0) {
      return nameOf(here) + " is an outcome, not a step: to reopen the lead, pick a stage in the card's Move menu.";
    }
    if (forward) {
      if (at < open.length - 1) { return open[at + 1]; }
      return won.length ? won[0] : nameOf(here) + " is the last open stage: close the lead in the card's Move menu.";
    }
    return at > 0 ? open[at - 1] : nameOf(here) + " is the first stage: there is none before it.";
  }

  document.addEventListener("keydown", function (event) {
    if ((event.key !== "[" && event.key !== "]") || !canWrite()) { return; }
    var card = document.activeElement;
    if (!card || !card.classList || !card.classList.contains("lead-card")) { return; }
    event.preventDefault();
    var target = keyTarget(card, event.key === "]");
    if (typeof target === "string") {
      say(target, false);
      return;
    }
    moveCard(card, target.getAttribute("data-stage-id"));
  });

  // --- realtime: other users' changes, and the echo of one's own -------------------------------------------------------------
  var pending = {};
  var timer = null;

  function refreshCard(leadId) {
    var query = filters();
    fetch("/leads/" + leadId + "/card" + (query ? "?" + query : ""), {
      credentials: "same-origin",
      headers: { "HX-Request": "true", "Accept": "text/html" },
    }).then(function (response) {
      if (response.status === 404) {
        forget(leadId); // deleted since the hint (its own hint is on its way, or was missed)
        return null;
      }
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null && html !== undefined) { applyUpdate(html, leadId); }
    }).catch(function () { /* the next event or reload catches up */ });
  }

  // A deleted (or merged) lead leaves the board. It has no card to bring the column heads with it, so they
  // are asked for on their own: one request for a burst of deletions (a bulk delete).
  var headsTimer = null;
  function forget(leadId) {
    delete pending[leadId];
    var gone = document.getElementById("card-" + leadId);
    if (gone) { removeCard(gone); }
    if (headsTimer || !boardEl()) { return; }
    headsTimer = window.setTimeout(function () {
      headsTimer = null;
      var query = new URLSearchParams(filters());
      query.set("pipeline", boardEl().getAttribute("data-pipeline-id") || "");
      fetch("/leads/board/heads?" + query.toString(), {
        credentials: "same-origin",
        headers: { "HX-Request": "true", "Accept": "text/html" },
      }).then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html && boardEl()) { applyUpdate(html, ""); } })
        .catch(function () { /* the next event or reload catches up */ });
    }, REFRESH_DELAY_MS);
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
    document.addEventListener("salesos:lead.deleted", function (event) {
      if (event.detail && event.detail.lead_id) { forget(event.detail.lead_id); }
    });
    document.addEventListener("salesos:resync", function () {
      // Missed events: the board reloads itself through its own filter form.
      var form = document.getElementById("board-filters");
      if (form && window.htmx) { window.htmx.trigger(form, "submit"); }
    });
  }
})();
