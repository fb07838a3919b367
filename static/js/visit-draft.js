// The visit form, and the form that adds photos to a saved visit, on a weak signal.
//
// Everything typed and every photo chosen is kept at once in the outbox (static/js/outbox.js,
// IndexedDB), so closing the page loses nothing; the draft comes back when the form is opened
// again. Saving hands the draft to the outbox, which sends it now and, if that fails, again
// with backoff until the server confirms; the hidden client_token (one per draft) and each
// photo's token let the server answer a resend without storing anything twice.
(function () {
  "use strict";
  var outbox = window.BangfuOutbox;
  var form = document.querySelector("form[data-draft-key], form[data-outbox-photos]");
  if (!form || !outbox) return;  // no IndexedDB: the form posts as a plain form
  var statusBox = document.getElementById("draft-status");
  var photoInput = form.querySelector("input[type=file][name=photos]");
  var photoList = document.getElementById("draft-photos");
  var box = document.getElementById("outbox");
  var isVisit = form.hasAttribute("data-draft-key");
  var entry = null;
  var saving = Promise.resolve();

  function say(which, values) {
    statusBox.textContent = outbox.text(which, values);
    statusBox.className = "alert " + (which === "sent" ? "alert-success" : which === "refused_invalid" ? "alert-danger" : "alert-warning");
    statusBox.classList.remove("d-none");
  }
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2);
  }
  function fields() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken") return;
      if (el.type === "radio" && !el.checked) return;
      out[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    return out;
  }
  function fill(values) {
    Object.keys(values).forEach(function (name) {
      var el = form.elements[name];
      if (!el || name === "csrfmiddlewaretoken") return;
      if (el.type === "checkbox") el.checked = values[name];
      else el.value = values[name];
    });
  }
  function save() {
    if (!entry || entry.state !== "editing") return saving;
    entry.fields = fields();
    saving = saving.then(function () { return outbox.put(entry); });
    return saving;
  }
  function showErrors(errors) {
    form.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
    form.querySelectorAll(".draft-error").forEach(function (el) { el.remove(); });
    Object.keys(errors || {}).forEach(function (name) {
      var el = form.elements[name] || photoInput;
      var message = document.createElement("div");
      message.className = "invalid-feedback d-block draft-error";
      message.textContent = errors[name].join(" ");
      if (el && el.classList) {
        el.classList.add("is-invalid");
        el.insertAdjacentElement("afterend", message);
      } else {
        form.insertBefore(message, form.firstChild);
      }
    });
  }
  function renderPhotos() {
    if (!photoList || !entry) return;
    photoList.textContent = "";
    entry.photos.forEach(function (p, i) {
      var item = document.createElement("li");
      item.className = "list-inline-item mb-1";
      var img = document.createElement("img");
      img.src = URL.createObjectURL(p.blob);
      img.alt = outbox.text("photo_alt", { n: i + 1 });
      img.className = "visit-thumb rounded border";
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "btn btn-sm btn-link text-danger btn-nowrap";
      drop.textContent = outbox.text("remove_photo");
      drop.addEventListener("click", function () {
        entry.photos.splice(i, 1);
        outbox.put(entry).then(renderPhotos);
      });
      item.appendChild(img);
      item.appendChild(drop);
      photoList.appendChild(item);
    });
    photoList.dataset.count = entry.photos.length;
  }

  function start() {
    var wanted = new URLSearchParams(window.location.search).get("draft");
    var hasErrors = form.querySelector(".is-invalid") !== null;
    return outbox.list().then(function (entries) {
      var mine = entries.filter(function (e) {
        return e.kind === (isVisit ? "visit" : "photos") && e.url === form.action;
      });
      var found = wanted ? mine.filter(function (e) { return e.id === wanted; })[0]
        : mine.filter(function (e) { return e.state === "editing"; }).pop();
      if (found && found.state === "refused") {
        found.state = "editing";  // opened to be corrected
      }
      if (found && found.state === "editing" && !hasErrors) {
        entry = found;
        fill(entry.fields);
        showErrors(entry.errors);
        say(entry.errors ? "refused_invalid" : "restored");
      } else {
        entry = outbox.draft({
          kind: isVisit ? "visit" : "photos",
          url: form.action,
          formUrl: window.location.pathname,
          label: form.dataset.label || "",
        });
        var token = form.querySelector("input[name=client_token]");
        if (token && !token.value) token.value = outbox.draft().id;
        var date = form.querySelector("input[name=visited_on]");
        // A copy of the form kept for offline use carries the day it was fetched.
        if (date && date.value === date.defaultValue) date.value = today();
      }
      if (box) box.dataset.current = entry.id;
      renderPhotos();
      // Kept from the first thing typed or chosen: a form only looked at leaves nothing.
    });
  }

  // The draft is found or made asynchronously: what happens before that waits for it.
  var ready = start();
  form.addEventListener("input", function (event) {
    if (event.target !== photoInput) ready.then(save);
  });
  form.addEventListener("change", function (event) {
    if (event.target !== photoInput) { ready.then(save); return; }
    var files = Array.prototype.slice.call(photoInput.files);
    photoInput.value = "";
    photoInput.required = false;
    ready.then(function () { addPhotos(files); });
  });
  function addPhotos(files) {
    if (files.length > outbox.maxPhotos - entry.photos.length) say("too_many_photos");
    var kept;
    if (entry.state === "editing") {
      files.slice(0, Math.max(0, outbox.maxPhotos - entry.photos.length)).forEach(function (file) {
        entry.photos.push(outbox.photo(file));
      });
      kept = save();
    } else {
      // Already submitted and waiting: attach to what the outbox holds now.
      kept = outbox.attach(entry.id, files).then(function (latest) { if (latest) entry = latest; });
    }
    kept.then(function () {
      renderPhotos();
      outbox.storage();
    });
  }
  document.querySelectorAll("[data-discard-draft]").forEach(function (link) {
    link.addEventListener("click", function () {
      if (entry && entry.state === "editing") outbox.remove(entry.id);
    });
  });

  var sending = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    ready.then(function () { submit(); });
  });
  function submit() {
    if (sending) return;
    if (!isVisit && !entry.photos.length) {
      showErrors({ photos: [outbox.text("choose_photos")] });
      return;
    }
    sending = true;
    entry.fields = fields();
    say("sending");
    saving.then(function () { return outbox.submit(entry); }).then(function (result) {
      sending = false;
      entry = result;
      follow(result);
    }, function () {
      sending = false;
      say("failed");
    });
  }
  // The draft on screen, as the outbox last left it: go to the visit once it is saved.
  function follow(result) {
    if (!result) return;
    if (result.state === "sent") {
      // The visit's page confirms it: the outbox need not list it.
      outbox.remove(result.id).then(function () { window.location.assign(result.location); });
    } else if (result.state === "refused" && result.errors) {
      result.state = "editing";
      entry = result;
      outbox.put(entry);
      showErrors(result.errors);
      say("refused_invalid");
    } else if (result.state === "refused") {
      say("refused_status", { status: result.status });
    } else if (result.state === "waiting") {
      say(result.problem === "offline" ? "kept_offline" : "kept_failed");
    }
  }
  outbox.onChange(function () {
    if (!entry || entry.state === "editing" || sending) return;
    outbox.get(entry.id).then(function (latest) {
      if (latest && latest.state !== entry.state) { entry = latest; follow(latest); }
    });
  });
})();
