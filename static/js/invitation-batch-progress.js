// Bulk invitations: the progress bar polls its small JSON endpoint until the batch is done,
// then reloads the page to show the per-row result. Without JavaScript the page shows the
// counts as of loading it (reload to refresh).
(function () {
  "use strict";
  var box = document.querySelector("[data-batch-progress-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-batch-progress-url");
  var bar = box.querySelector("[data-batch-progress-bar]");
  var fill = box.querySelector("[data-batch-progress-fill]");
  var text = box.querySelector("[data-batch-progress-text]");
  var template = text ? text.getAttribute("data-template") : "";

  function show(p) {
    var percent = Math.max(0, Math.min(100, p.percent));
    bar.setAttribute("aria-valuenow", String(percent));
    fill.style.width = percent + "%";
    fill.textContent = percent + "%";
    if (text && template) {
      text.textContent = template.replace("{done}", p.done_rows.toLocaleString()).replace("{total}", p.rows_to_send.toLocaleString())
        .replace("{created}", p.created_rows.toLocaleString()).replace("{failed}", p.failed_rows.toLocaleString());
    }
  }

  fill.style.width = (bar.getAttribute("aria-valuenow") || "0") + "%";
  if (box.getAttribute("data-batch-finished") === "1") { return; }

  var delay = 500;
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (p) {
        show(p);
        if (p.finished) {
          fill.classList.remove("progress-bar-animated", "progress-bar-striped");
          box.setAttribute("data-batch-finished", "1");
          window.setTimeout(function () { window.location.reload(); }, 800);
          return;
        }
        window.setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 10000); window.setTimeout(poll, delay); });
  }
  window.setTimeout(poll, delay);
})();
