// Behaviour every page shares, kept out of the templates (no inline scripts or handlers):
// - [data-print] buttons print the page; [data-autosubmit] fields submit their form;
// - each cell of a .table-stack table (body and totals) is labelled with its column heading (data-label), so that
// below the phone breakpoint, where bangfu.css stacks a table into one card a row, every
// value still says what it is. Runs on load and on every fragment htmx swaps in.
(function () {
  function label(root) {
    root.querySelectorAll("table.table-stack").forEach(function (table) {
      var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!head) return;
      var headings = [];
      Array.prototype.forEach.call(head.cells, function (th) {
        for (var i = 0; i < th.colSpan; i++) headings.push(th.textContent.trim());
      });
      var sections = Array.prototype.slice.call(table.tBodies);
      if (table.tFoot) sections.push(table.tFoot);  // totals say which column they total
      sections.forEach(function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (cell.colSpan === 1 && !cell.hasAttribute("data-label")) {
              cell.setAttribute("data-label", headings[column] || "");
            }
            column += cell.colSpan;
          });
        });
      });
    });
  }
  label(document);
  document.addEventListener("htmx:afterSwap", function (event) { label(event.target); });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit();
  });
})();
