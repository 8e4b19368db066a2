// The header's notification bell (issue 24 item 6): the unread count is read after the page, so no
// page waits for it or counts it in its own queries. Without JavaScript the bell still opens the list.
(function () {
  "use strict";
  var bell = document.querySelector(".notification-bell[data-unread-url]");
  if (!bell || !window.fetch) return;
  fetch(bell.getAttribute("data-unread-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data) return;
      var badge = bell.querySelector(".notification-count");
      var label = bell.querySelector(".notification-count-label");
      label.textContent = ", " + data.label;
      if (data.unread > 0) {
        badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
        badge.setAttribute("aria-hidden", "true");
        badge.hidden = false;
      }
    })
    .catch(function () { /* the bell stays a plain link */ });
})();
