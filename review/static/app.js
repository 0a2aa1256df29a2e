// Scrutiny review: keyboard shortcuts. No inline scripts (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }
  function go(id) { var a = document.getElementById(id); if (a && a.href) { window.location.href = a.href; } }
  function focus(id) { var el = document.getElementById(id); if (el) { el.focus(); if (el.select) el.select(); } return el; }
  function submit(id) { var f = document.getElementById(id); if (f) { if (f.requestSubmit) f.requestSubmit(); else f.submit(); } }

  function flagKeys(e) {
    switch (e.key) {
      case "c": submit("form-confirm"); break;
      case "d": focus("dismiss-reason"); break;
      case "e": focus("correct-value"); break;
      case "r": focus("remap-indicator"); break;
      case "m": focus("comment-text"); break;
      case "a": focus("assign-to"); break;
      case "j": go("next-item"); break;
      case "k": go("prev-item"); break;
      case "u": go("back-to-queue"); break;
      case "?": var h = document.getElementById("help"); if (h) h.hidden = !h.hidden; break;
      default: return false;
    }
    return true;
  }

  var selected = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#queue tr.item")); }
  function select(i) {
    var r = rows();
    if (!r.length) return;
    i = Math.max(0, Math.min(r.length - 1, i));
    r.forEach(function (row) { row.classList.remove("selected"); });
    r[i].classList.add("selected");
    r[i].scrollIntoView({ block: "nearest" });
    selected = i;
  }
  function queueKeys(e) {
    switch (e.key) {
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "Enter": case "o":
        var r = rows();
        if (selected >= 0 && r[selected]) { window.location.href = r[selected].getAttribute("data-href"); } else return false;
        break;
      case "n": go("next-page"); break;
      case "p": go("prev-page"); break;
      default: return false;
    }
    return true;
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape" && typing(document.activeElement)) { document.activeElement.blur(); return; }
    if (typing(document.activeElement)) return;
    var page = document.body.getAttribute("data-page");
    var handled = page === "flag" ? flagKeys(e) : page === "queue" ? queueKeys(e) : false;
    if (handled) e.preventDefault();
  });
  document.addEventListener("click", function (e) {
    var row = e.target.closest && e.target.closest("#queue tr.item");
    if (row && !e.target.closest("a")) { window.location.href = row.getAttribute("data-href"); }
  });
})();
