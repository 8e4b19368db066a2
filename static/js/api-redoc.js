// Starts Redoc on the API schema; a file of its own because the site's CSP forbids inline scripts.
(function () {
  "use strict";
  // Redoc's bundle shows an <img> from cdn.redoc.ly in its sidebar footer, with no option to turn it off:
  // the CSP refused it and every visit logged an error (issue 22 item 6). Point it at a local image.
  var LOCAL_LOGO = "/static/img/api-docs-logo.svg";
  var CDN = "https://cdn.redoc.ly/";
  var local = function (value) { return String(value).indexOf(CDN) === 0 ? LOCAL_LOGO : value; };
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src") { value = local(value); }
    return setAttribute.call(this, name, value);
  };
  var srcProperty = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  if (srcProperty && srcProperty.set) {
    Object.defineProperty(HTMLImageElement.prototype, "src", {
      configurable: true, enumerable: srcProperty.enumerable, get: srcProperty.get,
      set: function (value) { srcProperty.set.call(this, local(value)); }
    });
  }
  var container = document.getElementById("redoc-container");
  if (container && window.Redoc) {
    window.Redoc.init(container.getAttribute("data-spec-url"), {}, container);
  }
})();
