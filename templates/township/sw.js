{% load static %}// The service worker: the app shell opens without a signal after one visit online.
//
// Served from the site root (/sw.js, township.views.service_worker) so that its scope covers
// the pages. It keeps two caches and touches nothing else:
// - the static files every page loads, served from the cache and refreshed behind it;
// - the pages a pairing cadre needs in the field: the home page, "my households" and the
//   visit form of each of their households. They are fetched from the network first and
//   kept; without an answer within a few seconds the kept copy is shown. The "my
//   households" page asks for every visit form it links to, so that one visit online is
//   enough. These copies are the user's own pages: they are dropped when the login page
//   is shown (after logging out, or when the session ends).
// Everything else (posts, other pages, photos, reports) goes to the network as usual.
"use strict";
const VERSION = "{{ version }}";
const SHELL_CACHE = "bangfu-shell-" + VERSION;
const PAGES_CACHE = "bangfu-pages";
const SHELL = {{ shell_json|safe }};
const LOGIN = {{ login_json|safe }};
const PAGES = [/^\/$/, /^\/households\/mine\/$/, /^\/households\/\d+\/visits\/new\/$/];
const NETWORK_WAIT = 4000;

self.addEventListener("install", (event) => {
  // One file missing must not keep the worker from installing: each is kept on its own.
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => Promise.all(SHELL.map((url) => cache.add(url).catch(() => null))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("bangfu-shell-") && n !== SHELL_CACHE).map((n) => caches.delete(n))
      ))
      .then(() => self.clients.claim())
  );
});

function isPage(url) {
  return url.origin === self.location.origin && PAGES.some((re) => re.test(url.pathname));
}

function keep(request, response) {
  // Only a page answered as itself: not a redirect to the login page, not an error.
  if (!response.ok || response.redirected || response.type !== "basic") return;
  const copy = response.clone();
  caches.open(PAGES_CACHE).then((cache) => cache.put(request, copy));
}

function fromNetworkFirst(request) {
  const network = fetch(request).then((response) => {
    if (response.redirected && new URL(response.url).pathname === LOGIN) caches.delete(PAGES_CACHE);
    keep(request, response);
    return response;
  });
  const kept = () => caches.open(PAGES_CACHE).then((cache) =>
    cache.match(request, { ignoreSearch: true, ignoreVary: true }));
  return new Promise((resolve, reject) => {
    let settled = false;
    const useKept = () => kept().then((copy) => {
      if (copy && !settled) { settled = true; resolve(copy); }
      return copy;
    });
    const timer = setTimeout(useKept, NETWORK_WAIT);
    network.then((response) => {
      clearTimeout(timer);
      if (!settled) { settled = true; resolve(response); }
    }, (error) => {
      clearTimeout(timer);
      useKept().then((copy) => { if (!copy && !settled) { settled = true; reject(error); } });
    });
  });
}

function fromShell(request) {
  return caches.open(SHELL_CACHE).then((cache) => cache.match(request).then((copy) => {
    const refresh = fetch(request).then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    });
    if (copy) {
      refresh.catch(() => null);
      return copy;
    }
    return refresh;
  }));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === LOGIN) {
    caches.delete(PAGES_CACHE);
    return;
  }
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(fromNetworkFirst(request));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(fromShell(request));
  }
});

// "warm": keep these pages now (the visit forms "my households" links to); "forget": drop
// every kept page. The answer goes back through the message's port.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (answer) => event.ports[0] && event.ports[0].postMessage(answer);
  if (data.type === "forget") {
    event.waitUntil(caches.delete(PAGES_CACHE).then(() => reply({ forgotten: true })));
  } else if (data.type === "warm" && Array.isArray(data.urls)) {
    const urls = data.urls.filter((u) => isPage(new URL(u, self.location.origin)));
    event.waitUntil(
      caches.open(PAGES_CACHE)
        .then((cache) => Promise.all(urls.map((u) =>
          fetch(u, { credentials: "same-origin" }).then((response) => {
            if (response.ok && !response.redirected) return cache.put(u, response).then(() => 1);
            return 0;
          }, () => 0))))
        .then((done) => reply({ warmed: done.reduce((a, b) => a + b, 0), of: urls.length }))
    );
  }
});
