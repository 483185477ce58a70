/* SalesOS service worker: precached app shell, offline fallback for pages, cache-first static files,
   and the last LEAD_LIMIT lead pages this browser viewed, so a rep can read (and queue notes on) a lead
   with no connection. Every other page and the API always go to the network. Lead pages hold the signed-in
   user's data: they are cached only in this browser, and signing out deletes them. */
"use strict";

const VERSION = {{ version | tojson }};
const CACHE_PREFIX = "salesos-shell-";
const CACHE = CACHE_PREFIX + VERSION;
const SHELL = {{ shell | tojson }};
const OFFLINE_URL = {{ offline | tojson }};
// Lead pages outlive shell upgrades (same URLs, same data); their own name keeps them out of the cleanup.
const LEADS_CACHE = "salesos-leads-v1";
const LEAD_LIMIT = {{ lead_limit | tojson }};
// The least recently viewed first; a JSON list of URLs stored in the leads cache itself.
const LEADS_INDEX = "/__salesos/offline-leads-index";
const CACHED_AT_HEADER = "X-SalesOS-Cached-At";
const LEAD_PAGE = /^\/leads\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SIGN_OUT = "/logout";
// Where a browser lands signed out: after a session expired, or was ended elsewhere (a password reset, a
// removal from the organisation), or before someone else signs in. None of those posts SIGN_OUT.
const SIGNED_OUT_PAGES = new Set(["/login", "/signup"]);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
          .map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

function isCacheableStatic(url) {
  return url.origin === self.location.origin && url.pathname.startsWith("/static/");
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function networkFirstPage(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const offline = await caches.match(OFFLINE_URL);
    return offline || Response.error();
  }
}

// Reaching a sign-in page from the server means whoever signs in next must not find the last user's leads.
// Offline, the copies stay: the page can't be reached, and they are what the user is working from.
async function signedOutPage(event, request) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return networkFirstPage(request);
  }
  event.waitUntil(caches.delete(LEADS_CACHE));
  return response;
}

// --- Lead pages: network first, the last LEAD_LIMIT viewed kept for offline use ---------------------------

// Index updates read-modify-write one entry; chaining them keeps two navigations from losing a URL.
let indexChain = Promise.resolve();

function updateIndex(change) {
  const run = indexChain.then(async () => {
    const cache = await caches.open(LEADS_CACHE);
    const stored = await cache.match(LEADS_INDEX);
    let urls = [];
    if (stored) {
      try {
        urls = await stored.json();
      } catch (error) {
        urls = [];
      }
    }
    const next = change(urls.filter((url) => typeof url === "string"));
    const evicted = next.length > LEAD_LIMIT ? next.splice(0, next.length - LEAD_LIMIT) : [];
    await Promise.all(evicted.map((url) => cache.delete(url)));
    await cache.put(LEADS_INDEX, new Response(JSON.stringify(next), {
      headers: { "Content-Type": "application/json" },
    }));
  });
  indexChain = run.catch(() => undefined);
  return run;
}

function touchLead(key) {
  return updateIndex((urls) => [...urls.filter((url) => url !== key), key]);
}

async function forgetLead(key) {
  const cache = await caches.open(LEADS_CACHE);
  await cache.delete(key);
  await updateIndex((urls) => urls.filter((url) => url !== key));
}

async function storeLead(key, response) {
  const headers = new Headers(response.headers);
  headers.set(CACHED_AT_HEADER, new Date().toISOString());
  const body = await response.blob();
  const cache = await caches.open(LEADS_CACHE);
  await cache.put(key, new Response(body, { status: response.status, statusText: response.statusText, headers }));
  await touchLead(key);
}

// The page script shows "Offline — showing the copy from <time>" when the root element says so.
async function offlineCopy(cached) {
  const cachedAt = cached.headers.get(CACHED_AT_HEADER) || "";
  const html = (await cached.text()).replace(
    /<html\b/i, '<html data-offline-copy="' + cachedAt.replace(/[^0-9A-Za-z:.+-]/g, "") + '"'
  );
  const headers = new Headers(cached.headers);
  headers.delete("Content-Length");
  return new Response(html, { status: 200, headers });
}

async function networkFirstLead(event, key) {
  let response;
  try {
    response = await fetch(event.request);
  } catch (error) {
    const cached = await caches.match(key, { cacheName: LEADS_CACHE });
    if (cached) {
      event.waitUntil(touchLead(key));
      return offlineCopy(cached);
    }
    const offline = await caches.match(OFFLINE_URL);
    return offline || Response.error();
  }
  // A redirect (to sign in) or an error page is never kept; a lead that is gone is dropped.
  if (response.ok && !response.redirected && response.type === "basic") {
    event.waitUntil(storeLead(key, response.clone()));
  } else if (response.status === 404) {
    event.waitUntil(forgetLead(key));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && url.pathname === SIGN_OUT) {
    // The next person on this browser must not find the last user's leads; the request itself goes on.
    event.waitUntil(caches.delete(LEADS_CACHE));
    return;
  }
  if (request.method !== "GET" || url.pathname.startsWith("/api/")) {
    return;
  }
  if (request.mode === "navigate" && LEAD_PAGE.test(url.pathname)) {
    // Keyed without the query: "?done=note" is the same lead page.
    event.respondWith(networkFirstLead(event, url.origin + url.pathname));
  } else if (request.mode === "navigate" && SIGNED_OUT_PAGES.has(url.pathname)) {
    event.respondWith(signedOutPage(event, request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(request));
  } else if (isCacheableStatic(url)) {
    event.respondWith(cacheFirst(request));
  }
});

// --- Web Push: show what the server sent; a click focuses a SalesOS tab (or opens one) on the lead ---------

const ICON = "/static/icons/icon-192.png";

// Only this site's pages are opened from a notification, whatever a payload says.
function sameOriginUrl(value) {
  try {
    const url = new URL(value || "/", self.location.origin);
    return url.origin === self.location.origin ? url.href : self.location.origin + "/";
  } catch (error) {
    return self.location.origin + "/";
  }
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  const actions = [{ action: "open", title: "Open" }];
  if (data.phone) {
    actions.push({ action: "call", title: "Call" });
  }
  if (data.snooze_url) {
    actions.push({ action: "snooze", title: "Snooze 1 h" });
  }
  event.waitUntil(self.registration.showNotification(data.title || "SalesOS", {
    body: data.body || "",
    tag: data.tag || undefined,
    icon: ICON,
    badge: ICON,
    data,
    actions: actions.slice(0, Notification.maxActions || actions.length),
  }));
});

async function focusOrOpen(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const mine = windows.filter((client) => new URL(client.url).origin === self.location.origin);
  for (const client of mine) {
    let target = client;
    try {
      target = (await client.focus()) || client;
    } catch (error) {
      // Focusing needs the user's click on the notification; without it the tab still navigates.
    }
    // navigate() works on tabs this worker controls; any other SalesOS tab is just focused.
    if ("navigate" in target && target.url !== url) {
      try {
        return await target.navigate(url);
      } catch (error) {
        return target;
      }
    }
    return target;
  }
  return self.clients.openWindow(url);
}

self.addEventListener("notificationclick", (event) => {
  const data = event.notification.data || {};
  event.notification.close();
  if (event.action === "call" && typeof data.phone === "string" && /^\+[0-9]{6,15}$/.test(data.phone)) {
    event.waitUntil(self.clients.openWindow("tel:" + data.phone));
    return;
  }
  if (event.action === "snooze" && data.snooze_url) {
    // The snooze address carries its own single-use token: no cookie or CSRF header is needed.
    event.waitUntil(fetch(sameOriginUrl(data.snooze_url), { method: "POST", credentials: "omit" }));
    return;
  }
  event.waitUntil(focusOrOpen(sameOriginUrl(data.url)));
});
