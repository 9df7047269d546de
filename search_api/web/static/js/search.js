/* On a phone, the filters start folded so that the results come first (they stay open without JavaScript). */
(function () {
  "use strict";
  var box = document.getElementById("affiner");
  if (box && window.matchMedia("(max-width: 760px)").matches && !box.querySelector("a.on")) box.open = false;
})();
