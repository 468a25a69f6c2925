// Progress per file while the browser sends a dossier's scans (the page works without it: the
// form then posts as usual). The files go in one request, in order, so each file's bar fills
// as the bytes sent pass through its share of the request.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("intake");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var input = form.querySelector("input[type=file]");
  var list = document.getElementById("upload-progress");
  input.addEventListener("change", function () {
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var row = document.createElement("li");
      var bar = document.createElement("progress");
      bar.max = file.size || 1; bar.value = 0;
      row.appendChild(document.createTextNode(file.name + " "));
      row.appendChild(bar);
      list.appendChild(row);
    });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var bars = list.querySelectorAll("progress");
    var sizes = Array.prototype.map.call(input.files, function (f) { return f.size; });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.onprogress = function (e) {
      var left = e.loaded;
      sizes.forEach(function (size, i) {
        if (bars[i]) { bars[i].value = Math.max(0, Math.min(size, left)); }
        left -= size;
      });
    };
    xhr.onload = function () {
      if (xhr.status < 400 && xhr.responseURL) { window.location = xhr.responseURL; return; }
      document.open(); document.write(xhr.responseText); document.close();
    };
    xhr.send(new FormData(form));
  });
});
