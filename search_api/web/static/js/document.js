/* Bring the cited passage into view and give it focus for keyboard and screen-reader users. */
(function () {
  "use strict";
  var cited = document.getElementById("passage-cite");
  if (!cited) return;
  cited.setAttribute("tabindex", "-1");
  cited.scrollIntoView({ block: "center" });
  cited.focus({ preventScroll: true });
})();
