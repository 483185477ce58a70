/* SalesOS offline, queueing from the lead page's forms: a new note, or a stage change (the Stage form's
   select or a click on the stage path), becomes an entry of the offline queue (offline-queue.js): the API
   call the form stands for, with its own Idempotency-Key and the words that name it to the user. offline.js
   decides when a form is queued and says what each call resolves to; offline-status.js shows the rest. */
(function () {
  "use strict";

  var queue = window.SalesOSOfflineQueue;
  var status = window.SalesOSOfflineStatus;
  if (!queue || !status) {
    return;
  }

  function leadName() {
    var heading = document.querySelector("main h1");
    return heading ? heading.textContent.trim() : "this lead";
  }

  function excerpt(text) {
    var flat = text.replace(/\s+/g, " ").trim();
    return flat.length > 40 ? flat.slice(0, 39) + "…" : flat;
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

  // Each resolves to what to tell the user next to the form: {text, error, state}.
  var SAVED = { text: "Saved on this device; it will be sent when you are back online.", state: "saved" };

  function queueNote(scope, form, root) {
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

  // The stage the user sees: the lead's, or the target of their last queued move.
  function seenStage(root, entries) {
    var pending = status.pendingStage(entries);
    return pending ? pending.id : root.getAttribute("data-stage-id");
  }

  function queueStage(scope, form, root, submitter) {
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
    return queue.entries(scope).then(function (all) {
      var mine = all.filter(function (entry) { return entry.leadId === leadId; });
      var expected = seenStage(root, mine);
      if (target.id === expected) {
        return status.pendingStage(mine)
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

  window.SalesOSOfflineForms = { queueNote: queueNote, queueStage: queueStage };
})();
