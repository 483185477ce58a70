/* SalesOS offline queue: changes made on a lead page without a connection, kept in IndexedDB and replayed
   in order against the JSON API. Each entry carries its own Idempotency-Key, so a replay after a lost answer
   gets the stored response instead of writing twice. An entry leaves the queue only on a definitive answer:
   applied, or refused (the server wins). Network errors, server errors and "still running" keep it.
   The page side (forms, banner, messages) is offline.js; this file is the storage and the protocol. */
(function () {
  "use strict";

  var DB_NAME = "salesos-offline";
  var STORE = "queue";
  var LOCK_NAME = "salesos-offline-queue";

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

  function entries(scope) {
    // Keys are increasing integers, so getAll() answers in the order the changes were made.
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (all) {
      return (all || []).filter(function (entry) { return entry.scope === scope; });
    });
  }

  function add(entry) {
    return withStore("readwrite", function (store) { return store.add(entry); });
  }

  function remove(id) {
    return withStore("readwrite", function (store) { return store.delete(id); });
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
            }
            if (result.gone) {
              gone.push(result.gone);
            }
            settled.push(entry.leadId);
            return remove(entry.id);
          });
        });
      });
      // settled: leads with an entry applied or refused; gone: leads found deleted; reason: why it stopped.
      return step.then(function () {
        return { settled: settled, stopped: stopped, reason: reason, gone: gone };
      });
    });
  }

  function withLock(work) {
    // One tab replays at a time; the Idempotency-Key makes an overlap harmless, the lock makes it rare.
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request(LOCK_NAME, work);
    }
    return work();
  }

  window.SalesOSOfflineQueue = { entries: entries, add: add, remove: remove, drain: drain };
})();
