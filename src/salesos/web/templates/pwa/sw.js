/* SalesOS service worker: precached app shell, offline fallback for pages, cache-first static files.
   Pages and the API always go to the network: they carry one user's data and must never be served
   to anyone from a cache. */
"use strict";

const VERSION = {{ version | tojson }};
const CACHE_PREFIX = "salesos-shell-";
const CACHE = CACHE_PREFIX + VERSION;
const SHELL = {{ shell | tojson }};
const OFFLINE_URL = {{ offline | tojson }};

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

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(request));
  } else if (isCacheableStatic(url)) {
    event.respondWith(cacheFirst(request));
  }
});
