// fnaudit serve: small improvements for browsers that run scripts. The
// pages work without it: filters are a GET form, tables come sorted.
"use strict";
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", function () {
  // Filters apply as soon as a choice changes.
  document.querySelectorAll("form.filters").forEach(function (form) {
    form.addEventListener("change", function () { form.submit(); });
  });
  // Sortable tables: click a header to sort by that column.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, col); });
    });
  });
});

function sortBy(table, th, col) {
  var descending = th.getAttribute("aria-sort") !== "descending";
  table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
  th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  rows.sort(function (a, b) {
    var x = key(a.cells[col]), y = key(b.cells[col]);
    var c = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y));
    return descending ? -c : c;
  });
  rows.forEach(function (r) { body.appendChild(r); });
}

function key(cell) {
  if (!cell) { return ""; }
  var v = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  var n = Number(v);
  return v !== "" && !isNaN(n) ? n : v.toLowerCase();
}
