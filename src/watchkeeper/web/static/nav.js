// The header's nav groups (<details> menus): one open at a time; Escape, a click elsewhere
// or choosing a link closes it. Without this script each group still opens and closes.
(function () {
  "use strict";
  function groups() { return document.querySelectorAll("header details.navgroup"); }
  function closeAll(except) {
    groups().forEach(function (d) { if (d !== except) { d.open = false; } });
  }
  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (d instanceof HTMLDetailsElement && d.classList.contains("navgroup") && d.open) {
      closeAll(d);
    }
  }, true);
  document.addEventListener("click", function (e) {
    if (!(e.target instanceof Element) || !e.target.closest("details.navgroup")) { closeAll(null); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    var open = document.querySelector("header details.navgroup[open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
      e.stopPropagation();
    }
  }, true);
})();
