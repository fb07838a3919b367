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
