// The review screen by keyboard: Enter accepts a field and moves to the next one to check (on
// the last it saves the document), Ctrl+Enter saves, Alt+N opens the next document, Alt+P shows
// the next page, Alt+Z zooms; the field in focus has its box drawn over the page. The form works
// without this script (Tab moves, the button saves).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("review-form");
  var view = document.getElementById("page-view");
  if (!form || !view) { return; }
  var img = document.getElementById("page");
  var box = document.getElementById("box");
  var frame = document.getElementById("frame");
  var pages = parseInt(view.dataset.pages, 10) || 1;
  var page = 0;
  var inputs = Array.prototype.slice.call(form.querySelectorAll(".field input"));
  var toCheck = inputs.filter(function (i) { return i.parentNode.classList.contains("to-review"); });

  function show(n) {
    page = (n + pages) % pages;
    var src = view.dataset.base + page + ".png";
    if (img.getAttribute("src") !== src) { img.setAttribute("src", src); }
    document.getElementById("page-no").textContent = String(page + 1);
  }
  function highlight(input) {
    var field = input.parentNode;
    if (!field.dataset.box) { box.hidden = true; return; }
    show(parseInt(field.dataset.page, 10) || 0);
    var b = field.dataset.box.split(",").map(parseFloat);
    box.style.left = (b[0] * 100) + "%";
    box.style.top = (b[1] * 100) + "%";
    box.style.width = ((b[2] - b[0]) * 100) + "%";
    box.style.height = ((b[3] - b[1]) * 100) + "%";
    box.hidden = false;
    box.scrollIntoView({block: "nearest", inline: "nearest"});
  }
  inputs.forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); highlight(input); });
    input.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") { return; }
      e.preventDefault();
      if (e.ctrlKey) { form.requestSubmit(); return; }
      var order = input.parentNode.classList.contains("to-review") ? toCheck : inputs;
      var next = order[order.indexOf(input) + 1];
      if (next) { next.focus(); } else { form.requestSubmit(); }
    });
  });
  document.addEventListener("keydown", function (e) {
    if (!e.altKey) { return; }
    var key = e.key.toLowerCase();
    if (key === "n") { e.preventDefault(); window.location = document.getElementById("next-doc").href; }
    if (key === "p") { e.preventDefault(); box.hidden = true; show(page + 1); }
    if (key === "z") { e.preventDefault(); frame.classList.toggle("zoomed"); }
  });
  img.addEventListener("click", function () { frame.classList.toggle("zoomed"); });
  var first = document.activeElement;
  if (first && first.tagName === "INPUT" && first.type === "text") { first.select(); highlight(first); }
});
