// Behaviour that pages declare with data attributes, so no page needs an inline script or
// an inline event handler (the Content-Security-Policy allows scripts from our files only).
(function () {
  "use strict";

  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });

  // <select data-autosubmit>: choosing sends the form.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]") && event.target.form) {
      event.target.form.submit();
    }
  });

  // <div data-progress="70">: the width of a progress bar, also in fragments htmx swaps in.
  function showProgress(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0)) + "%";
    });
  }
  if (window.htmx) {
    window.htmx.onLoad(showProgress);
  } else {
    showProgress(document);
  }
})();

// The household list's search box: a whole ID number is not sent in the address (GET) but
// through the "Find by ID number" form (POST), live search included.
(function () {
  "use strict";
  var WHOLE_ID = /^\s*[0-9０-９]{17}[0-9０-９XxＸｘ]\s*$/;

  function sendThroughLookup(value) {
    var lookup = document.getElementById("find-by-id");
    if (!lookup) return false;
    lookup.querySelector("[name=id_number]").value = value.trim();
    lookup.submit();
    return true;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var q = event.detail.parameters && event.detail.parameters.get
      ? event.detail.parameters.get("q")
      : (event.detail.parameters || {}).q;
    if (q && WHOLE_ID.test(q) && sendThroughLookup(q)) {
      event.preventDefault();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "filters") return;
    var q = form.querySelector("[name=q]");
    if (q && WHOLE_ID.test(q.value) && sendThroughLookup(q.value)) {
      event.preventDefault();
    }
  }, true);
})();
