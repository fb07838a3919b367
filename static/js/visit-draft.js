// Keep a visit form on the phone while the network is away.
//
// Every change is saved in localStorage. Submitting sends the form with fetch; if the
// network is down the draft is marked pending and sent again when the browser is back
// online (or when the page is opened again). The hidden client_token, made once per draft,
// lets the server answer a resubmission with the visit it already saved: no duplicates.
(function () {
  var form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  var key = "bangfu-draft:" + form.dataset.draftKey;
  var statusBox = document.getElementById("draft-status");
  var token = form.querySelector("input[name=client_token]");

  function newToken() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }
  function say(which) {
    statusBox.textContent = statusBox.dataset[which];
    statusBox.classList.remove("d-none");
  }
  function fields() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken") return;
      out[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    return out;
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; }
  }
  function save(pending) {
    localStorage.setItem(key, JSON.stringify({ fields: fields(), pending: !!pending }));
  }

  var draft = load();
  var hasErrors = form.querySelector(".is-invalid") !== null;
  if (draft && !hasErrors) {
    Object.keys(draft.fields).forEach(function (name) {
      var el = form.elements[name];
      if (!el || name === "csrfmiddlewaretoken") return;
      if (el.type === "checkbox") el.checked = draft.fields[name];
      else el.value = draft.fields[name];
    });
    say("restored");
  }
  if (!token.value) token.value = newToken();
  save(draft && draft.pending);

  form.addEventListener("input", function () { save(false); });
  form.addEventListener("change", function () { save(false); });
  document.querySelectorAll("[data-discard-draft]").forEach(function (a) {
    a.addEventListener("click", function () { localStorage.removeItem(key); });
  });

  var sending = false;
  function send() {
    if (sending) return;
    sending = true;
    save(true);
    say("sending");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Draft-Submit": "1" },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === 0) {
          return response.json().then(function (answer) {
            localStorage.removeItem(key);
            window.location.assign(answer.location);
          });
        }
        return response.text().then(function (html) {
          // The server refused the form: show its page, with the messages by each field.
          save(false);
          document.open();
          document.write(html);
          document.close();
        });
      })
      .catch(function () {
        sending = false;
        say("offline");
        window.addEventListener("online", send, { once: true });
      });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });
  if (draft && draft.pending && navigator.onLine) send();
})();
