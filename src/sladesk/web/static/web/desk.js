/* sladesk desk: countdown badges, upload progress, drag and drop, keyboard shortcuts,
   browser time zone. Plain JavaScript, no build step; htmx does the requests. */
(function () {
  "use strict";

  /* -- countdown badges ---------------------------------------------------------- */
  function words(seconds) {
    var m = Math.floor(Math.abs(seconds) / 60), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60);
    m = m % 60;
    if (d) return d + " d " + h + " h";
    if (h) return h + " h " + (m < 10 ? "0" : "") + m + " min";
    return m + " min";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due), warn = el.dataset.warn ? Date.parse(el.dataset.warn) : null;
      var state, text, left = (due - now) / 1000;
      if (left <= 0) { state = "breached"; text = words(left) + " late"; }
      else if (warn !== null && now >= warn) { state = "warning"; text = "due in " + words(left); }
      else { state = "on time"; text = "due in " + words(left); }
      el.className = "badge " + (state === "breached" ? "badge-bad" : state === "warning" ? "badge-warn" : "badge-ok");
      var w = el.querySelector(".badge-word"), l = el.querySelector(".badge-left");
      if (w) w.textContent = state;
      if (l) l.textContent = text;
    });
  }
  setInterval(tick, 1000);

  /* -- uploads: progress bar and drag and drop ------------------------------------- */
  document.addEventListener("htmx:xhr:progress", function (evt) {
    var form = evt.target.closest ? evt.target.closest("[data-upload-progress]") : null;
    if (!form || !evt.detail.lengthComputable) return;
    var box = form.querySelector(".upload-progress");
    if (!box || !form.querySelector("input[type=file]").files.length) return;
    box.hidden = false;
    var pct = Math.round((evt.detail.loaded / evt.detail.total) * 100);
    box.querySelector("progress").value = pct;
    box.querySelector(".upload-status").textContent = "Uploading: " + pct + " %";
  });
  function failed(evt) {
    var form = evt.target.closest ? evt.target.closest("[data-upload-progress]") : null;
    if (!form) return;
    var box = form.querySelector(".upload-progress");
    if (box) {
      box.hidden = false;
      box.querySelector(".upload-status").textContent =
        "The upload failed (connection or size). Nothing was sent; your text is still here, try again.";
    }
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", function (evt) {
    /* 422 answers carry the form again with its errors: let htmx swap them in. */
    if (evt.detail.xhr && evt.detail.xhr.status === 422) return;
    failed(evt);
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (evt.detail.xhr && evt.detail.xhr.status === 422) { evt.detail.shouldSwap = true; evt.detail.isError = false; }
  });
  document.addEventListener("dragover", function (evt) {
    var zone = evt.target.closest && evt.target.closest("[data-dropzone]");
    if (zone) { evt.preventDefault(); zone.classList.add("dragging"); }
  });
  document.addEventListener("dragleave", function (evt) {
    var zone = evt.target.closest && evt.target.closest("[data-dropzone]");
    if (zone) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", function (evt) {
    var zone = evt.target.closest && evt.target.closest("[data-dropzone]");
    if (!zone) return;
    evt.preventDefault();
    zone.classList.remove("dragging");
    var input = zone.querySelector("input[type=file]");
    if (input && evt.dataTransfer.files.length) { input.files = evt.dataTransfer.files; }
  });

  /* -- field errors clear once the field is filled in ------------------------------- */
  function clearFieldError(evt) {
    var field = evt.target;
    if (!field || !field.id || field.getAttribute("aria-invalid") !== "true") return;
    if (!String(field.value || "").trim()) return;
    field.removeAttribute("aria-invalid");
    var errorId = field.id + "-error", error = document.getElementById(errorId);
    if (error) error.remove();
    var described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
      return id && id !== errorId;
    });
    if (described.length) field.setAttribute("aria-describedby", described.join(" "));
    else field.removeAttribute("aria-describedby");
  }
  document.addEventListener("input", clearFieldError);
  document.addEventListener("change", clearFieldError);

  /* -- browser time zone (until the profile names one) ------------------------------- */
  function detectZone() {
    var body = document.body, zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || body.dataset.zoneKnown || zone === body.dataset.zone) return;
    var token = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
    var data = new FormData();
    data.append("zone", zone);
    fetch(body.dataset.zoneUrl, { method: "POST", body: data, headers: { "X-CSRFToken": token }, credentials: "same-origin" })
      .then(function () { body.dataset.zoneKnown = "1"; });  /* used from the next page on */
  }

  /* -- keyboard shortcuts ------------------------------------------------------------ */
  var pendingG = false;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-keynav] tbody tr[data-href]")); }
  function select(delta) {
    var list = rows(); if (!list.length) return;
    var i = list.findIndex(function (r) { return r.classList.contains("selected"); });
    i = Math.max(0, Math.min(list.length - 1, i + delta));
    list.forEach(function (r) { r.classList.remove("selected"); r.removeAttribute("aria-selected"); });
    list[i].classList.add("selected"); list[i].setAttribute("aria-selected", "true"); list[i].focus();
  }
  document.addEventListener("keydown", function (evt) {
    var t = evt.target, typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (evt.key === "Escape" && typing) { t.blur(); return; }
    if (typing || evt.ctrlKey || evt.metaKey || evt.altKey) return;
    if (pendingG) {
      pendingG = false;
      if (evt.key === "q") { location.href = "/console/"; }
      if (evt.key === "d") { location.href = "/console/dashboard/"; }
      return;
    }
    var focus = function (sel) { var el = document.querySelector(sel); if (el) { evt.preventDefault(); el.focus(); } };
    switch (evt.key) {
      case "j": select(1); break;
      case "k": select(-1); break;
      case "o": case "Enter": {
        var row = document.querySelector("[data-keynav] tr.selected");
        if (row) { evt.preventDefault(); location.href = row.dataset.href; }
        break;
      }
      case "/": focus("form[role=search] input:not([type=hidden]), form[role=search] select"); break;
      case "r": focus("[data-shortcut-target=reply]"); break;
      case "n": focus("[data-shortcut-target=note]"); break;
      case "g": pendingG = true; break;
      case "?": { var d = document.getElementById("shortcuts"); if (d && d.showModal) { d.showModal(); } break; }
    }
  });

  document.addEventListener("DOMContentLoaded", function () { tick(); detectZone(); });
})();
