// Starts Redoc on the API schema; a file of its own because the site's CSP forbids inline scripts.
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  if (container && window.Redoc) {
    window.Redoc.init(container.getAttribute("data-spec-url"), {}, container);
  }
})();
