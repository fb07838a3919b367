// The outbox: visits and photos kept on the phone (IndexedDB) until the server confirms them.
//
// A visit form (static/js/visit-draft.js) puts its draft here, photos included, and asks for
// it to be sent. Sending retries with backoff while any page of the app is open, and at once
// when a page is opened again or the browser says it is back online. The server answers the
// outbox in JSON (the X-Draft-Submit header): the visit's page when saved, the form's errors
// when refused. The visit's client_token and each photo's token make a resend safe: the server
// stores neither the visit nor a photo twice. Photos are deleted from the phone once sent.
//
// Every page shows the entries of the user logged in (#outbox in base.html), each with its
// state: not submitted, waiting, sending, sent, or refused; photos can be attached to an
// entry before it is (re)sent. The phone is told when its storage is nearly full.
(function () {
  "use strict";
  var box = document.getElementById("outbox");
  if (!box || !window.indexedDB) return;
  var USER = box.dataset.user;
  var STORE = "outbox";
  var MAX_PHOTOS = parseInt(box.dataset.maxPhotos, 10) || 5;
  var FIRST_DELAY = 5000;
  var LONGEST_DELAY = 5 * 60 * 1000;
  var TIMEOUT = 120 * 1000;
  var listeners = [];
  var timer = null;

  // ---- Texts, translated by the template (<template id="outbox-text">) ----
  var texts = {};
  var source = document.getElementById("outbox-text");
  if (source) {
    source.content.querySelectorAll("[data-key]").forEach(function (el) {
      texts[el.dataset.key] = el.textContent;
    });
  }
  function t(key, values) {
    var text = texts[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(values[name]);
    });
    return text;
  }

  // ---- Storage ----
  var opening = new Promise(function (resolve, reject) {
    var request = indexedDB.open("bangfu", 1);
    request.onupgradeneeded = function () {
      var store = request.result.createObjectStore(STORE, { keyPath: "id" });
      store.createIndex("user", "user");
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
  function run(mode, work) {
    return opening.then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function get(id) { return run("readonly", function (s) { return s.get(id); }); }
  function put(entry) {
    entry.updated = Date.now();
    return run("readwrite", function (s) { s.put(entry); }).then(function () {
      changed();
      return entry;
    });
  }
  function remove(id) {
    return run("readwrite", function (s) { s.delete(id); }).then(changed);
  }
  function list() {
    return run("readonly", function (s) { return s.index("user").getAll(USER); }).then(
      function (entries) {
        return entries.sort(function (a, b) { return a.created - b.created; });
      }
    );
  }
  function newToken() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }
  function draft(fields) {
    var now = Date.now();
    return Object.assign({
      id: newToken(), user: USER, kind: "visit", state: "editing", fields: {}, photos: [],
      attempts: 0, nextAt: 0, created: now, updated: now, errors: null, problem: "",
    }, fields);
  }
  function photo(file) {
    return { token: newToken().replace(/-/g, ""), name: file.name || "photo.jpg", type: file.type, size: file.size, blob: file };
  }
  function changed() { listeners.forEach(function (fn) { fn(); }); }

  // ---- Sending ----
  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function delay(attempts) {
    var wait = Math.min(LONGEST_DELAY, FIRST_DELAY * Math.pow(2, Math.max(0, attempts - 1)));
    return Math.round(wait * (0.8 + Math.random() * 0.4));
  }
  // One change at a time to an entry, across the tabs of the app (Web Locks where present):
  // a sender skips an entry held by another; attaching photos or asking to send now waits,
  // so that neither overwrites what a sender is about to write back.
  function locked(id, work, wait) {
    if (!navigator.locks) return work();
    var options = wait ? {} : { ifAvailable: true };
    return navigator.locks.request("bangfu-outbox-" + id, options, function (lock) {
      return lock ? work() : null;
    });
  }
  function body(entry) {
    var data = new FormData();
    Object.keys(entry.fields).forEach(function (name) {
      var value = entry.fields[name];
      if (value === true) data.append(name, "on");
      else if (value !== false && value !== null && value !== undefined) data.append(name, value);
    });
    entry.photos.forEach(function (p) {
      data.append("photos", p.blob, p.name);
      data.append("photo_tokens", p.token);
    });
    return data;
  }
  function later(entry, problem) {
    entry.state = "waiting";
    entry.problem = problem;
    entry.nextAt = Date.now() + delay(entry.attempts);
    return put(entry);
  }
  function send(id) {
    return locked(id, function () {
      return get(id).then(function (entry) {
        if (!entry || entry.user !== USER) return entry;
        if (entry.state !== "waiting" && entry.state !== "sending") return entry;
        entry.state = "sending";
        entry.attempts += 1;
        return put(entry).then(function () {
          var controller = window.AbortController ? new AbortController() : null;
          var stop = controller && setTimeout(function () { controller.abort(); }, TIMEOUT);
          return fetch(entry.url, {
            method: "POST",
            body: body(entry),
            credentials: "same-origin",
            redirect: "manual",
            headers: { "X-Draft-Submit": "1", "X-CSRFToken": csrf() },
            signal: controller ? controller.signal : undefined,
          }).then(function (response) {
            clearTimeout(stop);
            return answered(entry, response);
          }, function () {
            clearTimeout(stop);
            return later(entry, navigator.onLine === false ? "offline" : "network");
          });
        });
      });
    });
  }
  function answered(entry, response) {
    // Sent to the login page: the session ended. Kept, and sent again after logging in.
    if (response.type === "opaqueredirect" || response.status === 0) return later(entry, "login");
    var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
    if (response.ok && json) {
      return response.json().then(function (answer) {
        entry.state = "sent";
        entry.location = answer.location;
        entry.sentPhotos = entry.photos.length;
        entry.photos = [];  // confirmed: the phone needs them no more
        entry.problem = "";
        entry.errors = null;
        entry.sentAt = Date.now();
        return put(entry);
      });
    }
    if (response.status === 400 && json) {
      return response.json().then(function (answer) {
        entry.state = "refused";
        entry.errors = answer.errors || {};
        entry.problem = "invalid";
        return put(entry);
      });
    }
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      return later(entry, "server");
    }
    entry.state = "refused";  // 403, 404, 413…: sending again would not help
    entry.errors = null;
    entry.problem = "status";
    entry.status = response.status;
    return put(entry);
  }
  // Send what is due, one at a time; then wait for the next one due.
  var pumping = null;
  function pump(all) {
    if (pumping) return pumping;
    clearTimeout(timer);
    pumping = list().then(function (entries) {
      var now = Date.now();
      var due = entries.filter(function (e) {
        return (e.state === "waiting" || e.state === "sending") && (all || e.nextAt <= now);
      });
      return due.reduce(function (chain, e) {
        return chain.then(function () { return send(e.id); });
      }, Promise.resolve());
    }).then(list).then(function (entries) {
      pumping = null;
      var next = Infinity;
      entries.forEach(function (e) {
        if (e.state === "waiting" || e.state === "sending") next = Math.min(next, e.nextAt);
      });
      if (next < Infinity) timer = setTimeout(pump, Math.max(1000, next - Date.now()));
    }, function () { pumping = null; });
    return pumping;
  }
  // Submit an entry: it is kept first, then sent at once.
  function queued(entry) {
    entry.state = "waiting";
    entry.nextAt = 0;
    entry.errors = null;
    entry.problem = "";
    return put(entry);
  }
  function sendQueued(id) {
    return send(id).then(function () {
      pump();
      return get(id);
    });
  }
  function submit(entry) {
    return queued(entry).then(function () { return sendQueued(entry.id); });
  }
  function sendNow(id) {
    return locked(id, function () {
      return get(id).then(function (entry) {
        if (!entry || (entry.state !== "waiting" && entry.state !== "refused")) return null;
        return queued(entry);
      });
    }, true).then(function (entry) { return entry ? sendQueued(id) : get(id); });
  }
  function attach(id, files) {
    files = Array.prototype.slice.call(files);
    return locked(id, function () {
      return get(id).then(function (entry) {
        if (!entry || entry.state === "sent" || entry.state === "sending") return entry;
        files.forEach(function (file) {
          if (entry.photos.length < MAX_PHOTOS) entry.photos.push(photo(file));
        });
        return put(entry).then(function (saved) { storage(); return saved; });
      });
    }, true);
  }

  // ---- Storage nearly full ----
  var warning = null;
  function storage() {
    if (!navigator.storage || !navigator.storage.estimate) return Promise.resolve();
    if (navigator.storage.persist) navigator.storage.persist();
    return navigator.storage.estimate().then(function (estimate) {
      var full = estimate.quota > 0 && estimate.usage / estimate.quota >= 0.8;
      warning = full ? t("storage_full", {
        used: Math.round(estimate.usage / 1048576),
        quota: Math.round(estimate.quota / 1048576),
      }) : null;
      render();
    });
  }

  // ---- The list on the page ----
  function when(ms) {
    var d = new Date(ms);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  var BADGE = { editing: "secondary", waiting: "warning", sending: "info", sent: "success", refused: "danger" };
  function describe(entry) {
    if (entry.state === "waiting") {
      return t("waiting_" + (entry.problem || "new"), { time: when(entry.nextAt), attempts: entry.attempts });
    }
    if (entry.state === "refused") {
      return entry.problem === "invalid" ? t("refused_invalid") : t("refused_status", { status: entry.status });
    }
    if (entry.state === "sent") return t("sent_at", { time: when(entry.sentAt) });
    if (entry.state === "editing") return t("editing_hint");
    return "";
  }
  function item(entry) {
    var li = el("li", "list-group-item outbox-entry");
    li.dataset.entry = entry.id;
    li.dataset.state = entry.state;
    var head = el("div", "d-flex flex-wrap gap-2 align-items-center");
    head.appendChild(el("span", "badge text-bg-" + BADGE[entry.state] + " outbox-state", t("state_" + entry.state)));
    head.appendChild(el("strong", "", entry.label || ""));
    var count = entry.state === "sent" ? entry.sentPhotos || 0 : entry.photos.length;
    head.appendChild(el("span", "small text-muted outbox-photos", t(entry.kind === "photos" ? "photos_only" : "visit", { n: count })));
    li.appendChild(head);
    var note = describe(entry);
    if (note) li.appendChild(el("div", "small text-body-secondary", note));
    var actions = el("div", "d-flex flex-wrap gap-2 mt-1");
    if (entry.state === "waiting" || entry.state === "refused" && entry.problem !== "invalid") {
      var now = el("button", "btn btn-sm btn-outline-primary btn-nowrap", t("send_now"));
      now.type = "button";
      now.addEventListener("click", function () { sendNow(entry.id); });
      actions.appendChild(now);
    }
    if (entry.state !== "sent" && entry.state !== "sending" && entry.photos.length < MAX_PHOTOS) {
      var label = el("label", "btn btn-sm btn-outline-secondary btn-nowrap mb-0", t("add_photos"));
      var input = el("input", "visually-hidden");
      input.type = "file";
      input.accept = "image/jpeg,image/png,image/webp";
      input.multiple = true;
      input.addEventListener("change", function () { attach(entry.id, input.files); });
      label.appendChild(input);
      actions.appendChild(label);
    }
    if (entry.kind === "visit" && (entry.state === "editing" || entry.state === "refused") && entry.formUrl) {
      var open = el("a", "btn btn-sm btn-outline-primary btn-nowrap", t(entry.state === "refused" ? "correct" : "continue"));
      open.href = entry.formUrl + "?draft=" + encodeURIComponent(entry.id);
      actions.appendChild(open);
    }
    if (entry.state === "sent" && entry.location) {
      var view = el("a", "btn btn-sm btn-outline-success btn-nowrap", t("open"));
      view.href = entry.location;
      actions.appendChild(view);
    }
    if (entry.state === "sent" || entry.state === "refused" || entry.state === "editing") {
      var drop = el("button", "btn btn-sm btn-link text-body-secondary btn-nowrap", t(entry.state === "sent" ? "dismiss" : "discard"));
      drop.type = "button";
      drop.addEventListener("click", function () {
        if (entry.state === "sent" || window.confirm(t("discard_confirm"))) remove(entry.id);
      });
      actions.appendChild(drop);
    }
    if (actions.childNodes.length) li.appendChild(actions);
    return li;
  }
  // One drawing at a time; a change made while drawing is drawn again once it is done.
  var rendering = false, stale = false;
  function render() {
    if (rendering) {
      stale = true;
      return;
    }
    rendering = true;
    stale = false;
    list().then(function (entries) {
      rendering = false;
      if (stale) {
        render();
        return;
      }
      var day = Date.now() - 24 * 3600 * 1000;
      entries.forEach(function (e) { if (e.state === "sent" && e.sentAt < day) remove(e.id); });
      // The form being typed is on screen already; every other entry is listed.
      var shown = entries.filter(function (e) {
        return e.id !== box.dataset.current && !(e.state === "sent" && e.sentAt < day);
      });
      box.textContent = "";
      if (warning) box.appendChild(el("div", "alert alert-warning", warning));
      if (shown.length) {
        box.appendChild(el("h2", "h6", t("title")));
        var ul = el("ul", "list-group mb-2");
        shown.forEach(function (e) { ul.appendChild(item(e)); });
        box.appendChild(ul);
      }
      box.hidden = !warning && !shown.length;
    }, function () {
      rendering = false;
      if (stale) render();
    });
  }

  // ---- The service worker: the app shell opens without a signal ----
  if ("serviceWorker" in navigator && box.dataset.sw) {
    navigator.serviceWorker.register(box.dataset.sw).catch(function () {});
    // "My households": keep this page, the home page and every visit form it links to, so
    // that they open without a signal; say so once they are kept.
    var links = document.querySelectorAll("a[data-offline]");
    if (links.length) {
      navigator.serviceWorker.ready.then(function (registration) {
        var urls = [window.location.pathname, box.dataset.home];
        links.forEach(function (a) { urls.push(new URL(a.href).pathname); });
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) {
          var ready = document.getElementById("offline-ready");
          if (ready && event.data.warmed === event.data.of) ready.classList.remove("d-none");
        };
        registration.active.postMessage({ type: "warm", urls: urls }, [channel.port2]);
      });
    }
  }
  // Logging out: the pages kept for offline use are this user's; drop them.
  document.querySelectorAll("form[data-logout]").forEach(function (logout) {
    logout.addEventListener("submit", function () {
      if (window.caches) caches.delete("bangfu-pages");
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "forget" });
      }
    });
  });

  window.BangfuOutbox = {
    draft: draft, photo: photo, get: get, put: put, remove: remove, list: list,
    submit: submit, sendNow: sendNow, attach: attach, storage: storage, maxPhotos: MAX_PHOTOS,
    text: t, onChange: function (fn) { listeners.push(fn); },
  };
  listeners.push(render);
  window.addEventListener("online", function () { pump(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") pump();
  });
  // Opened again: everything waiting is tried now, whatever its backoff said.
  render();
  storage();
  pump(true);
})();
