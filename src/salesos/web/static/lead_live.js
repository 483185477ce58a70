/* The lead page follows changes made elsewhere (another user, another tab, an import): on a hint about
   this lead it refetches the page and swaps in the regions marked data-live-region (facts, timeline,
   notes, tasks, contacts). A region holding the focus is left alone, and forms are outside the regions,
   so nothing being typed is lost. The Stage and Owner forms (data-live-form) follow too, as long as the
   user has not started changing them: they carry the value they show (expected_stage_id /
   expected_owner_id), and a stale one would have the server refuse the user's next press. A deleted lead
   says so instead, and its forms stop taking input. */
(function () {
  "use strict";

  var REFRESH_DELAY_MS = 250;
  var grid = document.querySelector("[data-offline-lead]");
  // An offline copy from the service worker's cache has nothing live to follow.
  if (!grid || !window.fetch || !window.DOMParser || document.documentElement.hasAttribute("data-offline-copy")) {
    return;
  }
  var leadId = grid.getAttribute("data-offline-lead");
  var timer = null;
  var isGone = false;

  // Whether the user has left the form as it was rendered (nothing chosen, nothing typed).
  function untouched(form) {
    return Array.prototype.every.call(form.elements, function (field) {
      if (field.tagName === "SELECT") {
        return Array.prototype.every.call(field.options, function (option) {
          return option.selected === option.defaultSelected;
        }) || (field.selectedIndex <= 0 && !field.querySelector("option[selected]"));
      }
      if (field.tagName === "TEXTAREA" || (field.tagName === "INPUT" && field.type !== "hidden")) {
        return field.type === "checkbox" || field.type === "radio"
          ? field.checked === field.defaultChecked
          : field.value === field.defaultValue;
      }
      return true;
    });
  }

  // Bring an untouched form in step with the server's copy. One without the focus is replaced whole; one
  // holding it (a keyboard user on its button, or on the select itself) gets the new choices and
  // expected value in place, so the focus stays where it is.
  function follow(form, fresh) {
    if (!fresh || !untouched(form)) { return; }
    if (!form.contains(document.activeElement)) {
      form.innerHTML = fresh.innerHTML;
      return;
    }
    fresh.querySelectorAll("select[name], input[type=hidden][name]").forEach(function (source) {
      if (source.name === "csrf_token") { return; }
      var target = form.querySelector('[name="' + source.name + '"]');
      if (!target) { return; }
      if (target.tagName === "SELECT") {
        if (target.innerHTML !== source.innerHTML) { target.innerHTML = source.innerHTML; }
      } else {
        target.value = source.value;
      }
    });
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    document.querySelectorAll("[data-live-region]").forEach(function (region) {
      var replacement = fresh.getElementById(region.id);
      if (!replacement || region.contains(document.activeElement)) { return; }
      if (region.innerHTML !== replacement.innerHTML) { region.innerHTML = replacement.innerHTML; }
    });
    document.querySelectorAll("form[data-live-form]").forEach(function (form) {
      follow(form, form.id ? fresh.getElementById(form.id) : null);
    });
    // What the page now shows is what offline-forms.js says a queued move was made against.
    var shown = fresh.querySelector("[data-offline-lead]");
    if (shown) {
      ["data-stage-id", "data-lead-updated-at"].forEach(function (name) {
        if (shown.hasAttribute(name)) { grid.setAttribute(name, shown.getAttribute(name)); }
      });
    }
  }

  function refresh() {
    if (isGone) { return; }
    fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.status === 404) { gone(null); return null; }
        return response.ok && !response.redirected ? response.text() : null;
      })
      .then(function (html) { if (html) { swap(html); } })
      .catch(function () { /* offline: "online" brings a resync */ });
  }

  function schedule() {
    if (timer) { return; }
    timer = window.setTimeout(function () { timer = null; refresh(); }, REFRESH_DELAY_MS);
  }

  // Text fields become read-only rather than disabled: what was typed stays readable and can be selected
  // and copied (into the lead it was merged into, say). Everything else that would send is disabled.
  function freeze(form) {
    Array.prototype.forEach.call(form.elements, function (field) {
      var tag = field.tagName;
      if (field.type === "hidden") { return; }
      if (tag === "TEXTAREA" || (tag === "INPUT" && !/^(checkbox|radio|submit|button|reset|image)$/.test(field.type))) {
        field.readOnly = true;
      } else {
        field.disabled = true;
      }
    });
  }

  // mergedInto: the lead this one was merged into, when the hint says so.
  function gone(mergedInto) {
    var main = document.getElementById("main") || document.body;
    if (!isGone) {
      isGone = true;
      main.querySelectorAll("form").forEach(freeze);
      grid.classList.add("is-gone");
      // The Edit link (and e) would only lead to "Not found".
      main.querySelectorAll("a[data-shortcut=edit]").forEach(function (link) {
        link.removeAttribute("href");
        link.setAttribute("aria-disabled", "true");
      });
    }
    var flash = document.getElementById("flash");
    if (!flash) { return; }
    flash.textContent = "";
    var text = document.createElement("p");
    text.className = "alert alert-error";
    text.textContent = "This lead was deleted or merged into another one, so nothing more can be sent from this page. What you typed stays here to copy.";
    if (mergedInto && /^[0-9a-f-]{36}$/.test(mergedInto)) {
      var link = document.createElement("a");
      link.href = "/leads/" + mergedInto;
      link.textContent = "Open the lead it was merged into";
      text.appendChild(document.createTextNode(" "));
      text.appendChild(link);
      text.appendChild(document.createTextNode("."));
    }
    flash.appendChild(text);
  }

  // A form sent in the moment before the page knew (or by a script) would end on "Not found" and lose
  // what was typed: it stays here.
  document.addEventListener("submit", function (event) {
    if (isGone) { event.preventDefault(); }
  }, true);

  function aboutThisLead(event) { return event.detail && event.detail.lead_id === leadId; }

  document.addEventListener("salesos:lead.updated", function (event) { if (aboutThisLead(event)) { schedule(); } });
  document.addEventListener("salesos:lead.deleted", function (event) {
    if (aboutThisLead(event)) { gone(event.detail.merged_into || null); }
  });
  document.addEventListener("salesos:resync", schedule);
})();
