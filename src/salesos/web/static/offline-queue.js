/* SalesOS offline queue: changes made on a lead page without a connection, kept in IndexedDB and replayed
   in order against the JSON API. Each entry carries its own Idempotency-Key, so a replay after a lost answer
   gets the stored response instead of writing twice. An entry leaves the queue only on a definitive answer:
   applied, or refused (the server wins). Network errors, server errors and "still running" keep it.
   The page side is offline.js (with offline-status.js for what the page shows, offline-forms.js for the lead
   page's forms); this file is the storage and the protocol, plus the offline page's listing of what this
   device keeps (at the end).
   Every change to the store is told to the other tabs (BroadcastChannel, else a storage event), so a second
   tab of the same lead shows the same pending changes without a reload. */
(function () {
  "use strict";

  var DB_NAME = "salesos-offline";
  var STORE = "queue";
  var LOCK_NAME = "salesos-offline-queue";
  var CHANNEL_NAME = "salesos-offline-queue";
  var PING_KEY = "salesos-offline-queue-changed";

  if (!window.indexedDB || !window.fetch) {
    return;
  }

  // --- IndexedDB ------------------------------------------------------------------------------------------
  var dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = window.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  // --- Telling the other tabs -----------------------------------------------------------------------------
  var channel = window.BroadcastChannel ? new window.BroadcastChannel(CHANNEL_NAME) : null;
  var listeners = [];

  function hear(message) {
    listeners.forEach(function (listener) { listener(message || { type: "changed" }); });
  }

  // To the other tabs only: a channel never delivers to the object that posted.
  function tell(message) {
    if (channel) {
      channel.postMessage(message);
      return;
    }
    try {
      window.localStorage.setItem(PING_KEY, JSON.stringify({ at: Date.now(), message: message }));
    } catch (error) {
      // No storage either: the other tabs catch up on their next load.
    }
  }

  if (channel) {
    channel.onmessage = function (event) { hear(event.data); };
  } else {
    window.addEventListener("storage", function (event) {
      if (event.key !== PING_KEY || !event.newValue) { return; }
      try {
        hear(JSON.parse(event.newValue).message);
      } catch (error) {
        hear(null);
      }
    });
  }

  // listener({type: "changed"}) after any change to the store; other messages are what a tab tell()s.
  function onChange(listener) {
    listeners.push(listener);
  }

  // --- Entries --------------------------------------------------------------------------------------------
  // scope null: every entry on this device (the offline page and sign-out are nobody's session).
  function entries(scope) {
    // Keys are increasing integers, so getAll() answers in the order the changes were made.
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (all) {
      return (all || []).filter(function (entry) { return scope === null || entry.scope === scope; });
    });
  }

  // This tab's listeners hear their own changes too, after the caller's own follow-up.
  function changed(result) {
    tell({ type: "changed" });
    window.setTimeout(function () { hear({ type: "changed" }); }, 0);
    return result;
  }

  function add(entry) {
    return withStore("readwrite", function (store) { return store.add(entry); }).then(changed);
  }

  function remove(id) {
    return withStore("readwrite", function (store) { return store.delete(id); }).then(changed);
  }

  function update(entry) {
    return withStore("readwrite", function (store) { return store.put(entry); });
  }

  // Sign-out: what was typed (note text, lead names) must not wait here for the next person.
  function clear() {
    return withStore("readwrite", function (store) { return store.clear(); }).then(changed);
  }

  // --- Replay ---------------------------------------------------------------------------------------------
  function problemDetail(response) {
    return response.json().then(function (problem) {
      return problem || {};
    }, function () { return {}; });
  }

  function sentence(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  // "done": applied; "drop": refused for good (with a message); "keep": try again later.
  function send(entry, csrfToken) {
    var headers = {
      "Content-Type": "application/json",
      "Accept": "application/json",
      "X-CSRF-Token": csrfToken,
      "Idempotency-Key": entry.key,
    };
    return window.fetch(entry.url, {
      method: entry.method,
      headers: headers,
      body: JSON.stringify(entry.body),
      credentials: "same-origin",
      cache: "no-store",
    }).then(function (response) {
      if (response.ok && entry.kind === "stage") {
        // The lead's new updated_at: the next queued move of this lead is based on it (sendAll).
        return response.json().then(function (lead) {
          return { outcome: "done", updatedAt: lead && lead.updated_at ? lead.updated_at : null };
        }, function () { return { outcome: "done", updatedAt: null }; });
      }
      if (response.ok) {
        return { outcome: "done" };
      }
      return problemDetail(response).then(function (problem) {
        var detail = problem.detail || response.statusText || "refused";
        var status = response.status;
        if (status === 404) {
          return {
            outcome: "drop",
            gone: entry.leadId,
            message: sentence(entry.label) + " — the lead was deleted.",
          };
        }
        if (status === 409 && problem.title === "Request in progress") {
          return { outcome: "keep" };  // the first attempt is still running on the server
        }
        if (status === 401) {
          return { outcome: "keep", reason: "signed-out" };
        }
        if (status === 429 || status >= 500) {
          return { outcome: "keep" };
        }
        if (status === 403 && /CSRF/.test(detail)) {
          return { outcome: "keep" };  // a page from an older session; a fresh page has the right token
        }
        return { outcome: "drop", message: sentence(entry.label) + " — " + detail };
      });
    }, function () {
      return { outcome: "keep" };
    });
  }

  // Sends the scope's entries in order, stopping at the first that must wait; onDrop(message) hears each
  // refusal before its entry is deleted, so no refusal goes untold.
  function drain(scope, csrfToken, onDrop) {
    return withLock(function () {
      return entries(scope).then(function (list) {
        return sendAll(list, csrfToken, onDrop);
      });
    });
  }

  function sendAll(list, csrfToken, onDrop) {
    return Promise.resolve().then(function () {
      var settled = [];
      var sent = [];
      var stopped = false;
      var reason = null;
      var gone = [];
      var step = Promise.resolve();
      list.forEach(function (entry) {
        step = step.then(function () {
          if (stopped) {
            return undefined;
          }
          return send(entry, csrfToken).then(function (result) {
            if (result.outcome === "keep") {
              stopped = true;  // later changes wait too: they may depend on this one
              reason = result.reason || "unreachable";
              return undefined;
            }
            if (result.message) {
              onDrop(result.message);
            } else {
              sent.push(entry);
            }
            if (result.gone) {
              gone.push(result.gone);
            }
            settled.push(entry.leadId);
            return rebase(list, entry, result.updatedAt).then(function () { return remove(entry.id); });
          });
        });
      });
      // settled: leads with an entry applied or refused; sent: the entries applied; gone: leads found
      // deleted; reason: why it stopped.
      return step.then(function () {
        return { settled: settled, sent: sent, stopped: stopped, reason: reason, gone: gone };
      });
    });
  }

  // A stage move applied: later moves of the same lead were queued against the same page, so they expected
  // the updated_at this one just changed. They now expect the server's answer, or the user's own earlier
  // move would make them look stale. Stored before this entry leaves the queue: a replay stopped after it
  // still sends them right; a move expecting another time (a page loaded since) is left alone.
  function rebase(list, done, updatedAt) {
    var before = done.body && done.body.expected_updated_at;
    if (done.kind !== "stage" || !updatedAt || !before) {
      return Promise.resolve();
    }
    var later = list.slice(list.indexOf(done) + 1).filter(function (entry) {
      return entry.kind === "stage" && entry.leadId === done.leadId && entry.body.expected_updated_at === before;
    });
    return later.reduce(function (step, entry) {
      return step.then(function () {
        entry.body.expected_updated_at = updatedAt;
        return update(entry);
      });
    }, Promise.resolve());
  }

  function withLock(work) {
    // One tab replays at a time; the Idempotency-Key makes an overlap harmless, the lock makes it rare.
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request(LOCK_NAME, work);
    }
    return work();
  }

  window.SalesOSOfflineQueue = {
    entries: entries, add: add, remove: remove, clear: clear, drain: drain, onChange: onChange, tell: tell,
  };
})();

/* The offline page (web/offline.html), shown by the service worker for any page it can't fetch. It has no
   session, so it loads only this file, never the page side that replays the queue: what is left to do here
   is reading the lead pages the worker keeps, and knowing that changes wait on this device. "Try again"
   asks again for the page that failed (the address the offline page is shown under), not for "/". */
(function () {
  "use strict";

  // The service worker's names (templates/pwa/sw.js).
  var LEADS_CACHE = "salesos-leads-v1";
  var LEADS_INDEX = "/__salesos/offline-leads-index";
  var CACHED_AT_HEADER = "X-SalesOS-Cached-At";

  var section = document.querySelector("[data-offline-page]");
  if (!section) {
    return;
  }
  var queue = window.SalesOSOfflineQueue;

  var again = document.querySelector("[data-offline-again]");
  if (again && window.location.pathname !== "/offline") {
    again.href = window.location.href;
    again.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.reload();
    });
  }

  function countWaiting() {
    var waiting = document.querySelector("[data-offline-waiting]");
    if (!queue || !waiting) { return; }
    queue.entries(null).then(function (all) {
      var many = all.length !== 1;
      waiting.textContent = all.length
        ? all.length + (many ? " changes are" : " change is") + " waiting on this device; "
          + (many ? "they are" : "it is") + " sent when you are back online."
        : "";
    }, function () { /* no IndexedDB: nothing can be waiting */ });
  }

  function when(iso) {
    var at = new Date(iso);
    return isNaN(at.getTime()) ? null : at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function describe(url, html, page) {
    // The lead's name is the page's title ("Delta Dairy · SalesOS"); parsing only the title is enough.
    var found = /<title>([\s\S]*?)<\/title>/i.exec(html);
    var title = found
      ? new window.DOMParser().parseFromString("<title>" + found[1] + "</title>", "text/html").title
      : "";
    return {
      path: new URL(url, window.location.href).pathname,
      name: title.replace(/\s*·\s*SalesOS\s*$/, "").trim(),
      savedAt: when(page.headers.get(CACHED_AT_HEADER) || ""),
    };
  }

  // The worker's copies of lead pages, the most recently viewed first: [{path, name, savedAt}].
  function cachedLeads() {
    if (!window.caches || !window.DOMParser) {
      return Promise.resolve([]);
    }
    // caches.open() would create the cache (signing out deletes it on purpose): only read one that exists.
    return window.caches.has(LEADS_CACHE).then(function (has) {
      return has ? window.caches.open(LEADS_CACHE) : null;
    }).then(function (cache) {
      if (!cache) { return []; }
      return cache.match(LEADS_INDEX).then(function (index) {
        return index ? index.json() : [];
      }).then(function (urls) {
        return Promise.all(urls.slice().reverse().map(function (url) {
          return cache.match(url).then(function (page) {
            return page ? page.text().then(function (html) { return describe(url, html, page); }) : null;
          });
        }));
      });
    }).then(function (leads) {
      return leads.filter(function (lead) { return lead && lead.name; });
    });
  }

  countWaiting();
  if (queue) { queue.onChange(countWaiting); }
  cachedLeads().then(function (leads) {
    var list = section.querySelector("[data-offline-leads]");
    if (!list || !leads.length) { return; }
    leads.forEach(function (lead) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = lead.path;
      link.textContent = lead.name;
      item.appendChild(link);
      if (lead.savedAt) {
        var saved = document.createElement("span");
        saved.className = "small muted";
        saved.textContent = " · copy from " + lead.savedAt;
        item.appendChild(saved);
      }
      list.appendChild(item);
    });
    section.hidden = false;
  }).catch(function () { /* no copies to offer */ });
})();
