/* SalesOS browser glue. The CSP allows only same-origin scripts, so every behaviour lives here
   (no inline scripts or on* attributes in the templates). */
(function () {
  "use strict";

  // Lets CSS show controls that only matter without JavaScript (e.g. a role form's Save button).
  document.documentElement.classList.add("js");

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // A refused form comes back as its page, at the address the form posted to: reloading or sharing that
  // address would ask for something that only takes POST. Such a page names its own address instead.
  var pageUrl = document.querySelector('meta[name="page-url"]');
  if (pageUrl && window.history.replaceState) {
    var shown = pageUrl.getAttribute("content");
    if (shown && shown !== window.location.pathname + window.location.search) {
      window.history.replaceState(window.history.state, "", shown + window.location.hash);
    }
  }

  // A refused form comes back with its fields marked: the first one takes the focus, so a person (and a
  // screen reader) starts where the problem is. A field that asks for the focus itself (autofocus) wins.
  if (!document.querySelector("[autofocus]") && document.activeElement === document.body) {
    var invalid = document.querySelector('#main [aria-invalid="true"]');
    if (invalid && invalid.offsetParent !== null) {
      invalid.focus();
    }
  }

  // After a form, the page often opens at the part it changed (#tasks, #contacts). The focus goes there
  // too, so a keyboard user carries on from that part (the next task's Done) rather than from the top.
  if (window.location.hash.length > 1 && document.activeElement === document.body) {
    var landed = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (landed) {
      if (!landed.hasAttribute("tabindex") && !landed.matches("a[href], button, input, select, textarea")) {
        landed.setAttribute("tabindex", "-1");
      }
      landed.focus({ preventScroll: true });
    }
  }

  // --- HTMX -----------------------------------------------------------------------------------------
  if (window.htmx) {
    // Nothing here needs eval'd expressions (hx-on, js: values); CSP would refuse them anyway.
    window.htmx.config.allowEval = false;
    window.htmx.config.allowScriptTags = false;
    // Swap error responses too: the server sends a fragment saying what went wrong
    // (an error page fragment is retargeted to #flash by the server).
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "[45]..", swap: true, error: true },
    ];
    // Back/Forward to a URL a filter bar pushed reloads that URL, and the server renders its whole page:
    // the board or list and the filter fields as that URL says. HTMX's own snapshot would bring back the
    // fields as last typed (not as the URL says) and keeps the leads shown in sessionStorage.
    window.htmx.config.historyCacheSize = 0;
    window.htmx.config.refreshOnHistoryMiss = true;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRF-Token"] = token;
    }
    // Errors come back as HTML fragments only when the request says it wants HTML.
    event.detail.headers["Accept"] = "text/html";
  });

  // A filter bar marked [data-omit-empty] sends only the fields that filter, so the URL it pushes reads
  // "/leads?q=acme" rather than "/leads?q=acme&owner=&tag=". The server reads a missing field as empty.
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (detail.verb !== "get" || !detail.elt.hasAttribute("data-omit-empty")) {
      return;
    }
    Object.keys(detail.parameters).forEach(function (name) {
      var value = detail.parameters[name];
      if (typeof value === "string" && value.trim() === "") {
        delete detail.parameters[name];
      }
    });
  });

  // One request per change of filters. A text field asks as you type, and Enter in it fires its change
  // event and then the form's submit: the second request asked for what the first was fetching, and
  // hx-sync aborted the first (which htmx logs as an error). So a request for the very filters a request
  // of the same bar is still fetching is dropped, and so is one from a text field's typing or change
  // (leaving it, Enter) for the filters the page already shows. An explicit submit of the page's own
  // filters (the Filter button, the board's resync) still asks. Decided at htmx:confirm, which comes
  // before hx-sync cancels the request in flight.
  var TYPED = { search: true, text: true };

  function filtersKey(parameters, path) {
    var wanted = new URLSearchParams();
    Object.keys(parameters).sort().forEach(function (name) {
      var value = parameters[name];
      if (typeof value !== "string" || value.trim() !== "") { wanted.append(name, value); }
    });
    return new URL(path, location.href).pathname + "?" + wanted.toString();
  }

  function shownKey() {
    var current = new URLSearchParams(location.search);
    current.sort();
    return location.pathname + "?" + current.toString();
  }

  document.addEventListener("htmx:confirm", function (event) {
    var detail = event.detail;
    var bar = detail.elt;
    if (detail.verb !== "get" || !bar.hasAttribute || !bar.hasAttribute("data-omit-empty") || !window.htmx) {
      return;
    }
    var key = filtersKey(window.htmx.values(bar, "get"), detail.path);
    var trigger = detail.triggeringEvent;
    var typed = trigger && (trigger.type === "change" || trigger.type === "input") && trigger.target
      && TYPED[trigger.target.type];
    if (key === bar.filtersAsking || (typed && key === shownKey())) {
      event.preventDefault();
      return;
    }
    bar.filtersAsking = key;
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var config = event.detail.requestConfig;
    var bar = config ? config.elt : null;
    if (bar && bar.filtersAsking && bar.filtersAsking === filtersKey(config.parameters, config.path)) {
      bar.filtersAsking = null;
    }
  });

  // The same filters sent again (Search's change event when it loses focus, after its input already asked;
  // the board's resync) would push the URL the page is already on, and Back would seem to do nothing.
  document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    var update = event.detail.history;
    if (update && update.type === "push" && new URL(update.path, location.href).href === location.href) {
      update.type = "replace";
    }
  });

  // The Board | List switch carries the filters both pages have ([data-shared-filters]): rendered with the
  // page's own, and kept in step here as a filter bar changes them in place (the URL it pushes says which).
  function carryFilters() {
    var toggle = document.querySelector("[data-shared-filters]");
    if (!toggle) {
      return;
    }
    var current = new URLSearchParams(location.search);
    var carried = new URLSearchParams();
    toggle.getAttribute("data-shared-filters").split(" ").forEach(function (name) {
      if (current.get(name)) { carried.set(name, current.get(name)); }
    });
    var query = carried.toString();
    toggle.querySelectorAll("a[data-carry-filters]").forEach(function (link) {
      var path = new URL(link.getAttribute("href"), location.href).pathname;
      link.setAttribute("href", path + (query ? "?" + query : ""));
    });
  }
  document.addEventListener("htmx:pushedIntoHistory", carryFilters);
  document.addEventListener("htmx:replacedInHistory", carryFilters);

  // --- Confirm before destructive form submissions ([data-confirm] on the form) -------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // --- Copy to clipboard ([data-copy] names the element whose value to copy) ----------------------
  function announce(text) {
    var status = document.querySelector("[data-copy-status]");
    if (status) {
      status.textContent = text;
    }
  }

  function fallbackCopy(source) {
    source.focus();
    source.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) {
      return;
    }
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) {
      return;
    }
    var text = source.value || source.textContent;
    var done = function () {
      button.textContent = "Copied";
      announce("Copied to the clipboard.");
      window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
    };
    var failed = function () {
      announce("Copy failed: select the key and copy it yourself.");
      source.select();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {
        if (fallbackCopy(source)) { done(); } else { failed(); }
      });
    } else if (fallbackCopy(source)) {
      done();
    } else {
      failed();
    }
  });

  // --- Close the user menu when clicking elsewhere or pressing Escape ------------------------------
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  // --- Boxes that scroll sideways when their content doesn't fit: the navigation on a phone, a page's
  // tabs (Settings), wide tables and the board (on a phone). A current link is scrolled into view, and an
  // edge with more behind it fades out, so that Settings or the Owner column past the edge reads as
  // "more this way" rather than as missing. ---------------------------------------------------------
  function markEdges(row) {
    var hidden = row.scrollWidth - row.clientWidth;
    row.toggleAttribute("data-more-start", hidden > 1 && row.scrollLeft > 1);
    row.toggleAttribute("data-more-end", hidden > 1 && hidden - row.scrollLeft > 1);
  }
  // A box's content can change without the window's size doing so (a board column's "Load more"): its
  // edges are marked again whenever its size changes.
  var edgesOnResize = window.ResizeObserver ? new window.ResizeObserver(function (entries) {
    entries.forEach(function (entry) { markEdges(entry.target); });
  }) : null;
  var SCROLLERS = ".nav, .tabs, .table-wrap, .board";
  function watchEdges(row) {
    if (row.edgesWatched) {
      return;
    }
    row.edgesWatched = true;
    var current = row.querySelector("a[aria-current]");
    if (current && row.scrollWidth > row.clientWidth) {
      row.scrollLeft = current.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
    }
    markEdges(row);
    row.addEventListener("scroll", function () { markEdges(row); }, { passive: true });
    if (edgesOnResize) {
      edgesOnResize.observe(row);
    } else {
      window.addEventListener("resize", function () { markEdges(row); });
    }
  }
  document.querySelectorAll(SCROLLERS).forEach(watchEdges);
  // The board and the list's table come anew when their filters change in place (HTMX swaps them).
  document.addEventListener("htmx:load", function (event) {
    var swapped = event.detail.elt;
    if (!swapped || !swapped.querySelectorAll) {
      return;
    }
    if (swapped.matches(SCROLLERS)) {
      watchEdges(swapped);
    }
    swapped.querySelectorAll(SCROLLERS).forEach(watchEdges);
  });

  // --- Service worker (root scope: it is served from /sw.js with Service-Worker-Allowed: /) --------
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function (error) {
        // Offline support is an extra; the app works without it.
        if (window.console) {
          window.console.warn("Service worker registration failed:", error);
        }
      });
    });
  }
})();
