// Progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });
  // Confirmation for destructive buttons that carry data-confirm (the server still requires POST).
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = submitter && submitter.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();

// Email draft: "Open in email app" uses the text as edited; "Copy" copies subject and message.
(function () {
  "use strict";
  function draftText(form) {
    var subject = form.querySelector("[name=subject]").value;
    var body = form.querySelector("[name=body]").value;
    var to = form.querySelector("[name=recipient_email]").value;
    return { to: to, subject: subject, body: body };
  }
  document.addEventListener("click", function (event) {
    var mailto = event.target.closest("[data-mailto-from]");
    if (mailto) {
      var form = document.querySelector(mailto.getAttribute("data-mailto-from"));
      var d = draftText(form);
      mailto.setAttribute("href", "mailto:" + encodeURIComponent(d.to) + "?subject=" + encodeURIComponent(d.subject) + "&body=" + encodeURIComponent(d.body));
      return;
    }
    var copy = event.target.closest("[data-copy-from]");
    if (copy) {
      var source = document.querySelector(copy.getAttribute("data-copy-from"));
      var text = copy.hasAttribute("data-copy-text") ? copy.getAttribute("data-copy-text") : null;
      if (text === null) {
        var d2 = draftText(source);
        text = d2.subject + "\n\n" + d2.body;
      }
      navigator.clipboard.writeText(text).then(function () {
        var label = copy.getAttribute("data-copied-label") || "Copied";
        var span = copy.querySelector("span");
        var previous = span ? span.textContent : "";
        if (span) { span.textContent = label; }
        copy.classList.add("btn-success");
        var status = document.querySelector("[data-copy-status]");
        if (status) { status.textContent = label; }
        setTimeout(function () { if (span) { span.textContent = previous; } copy.classList.remove("btn-success"); }, 2500);
      });
    }
  });
})();

// Customers table: the chevron expands a row in place (the customer's name links to the same details).
// The row's details are fetched on first expansion (a loading line, then the fragment, or an error
// with a link to the customer's page; expanding again after an error retries).
(function () {
  "use strict";
  function message(body, text, className, role, href, label) {
    var line = document.createElement("p");
    line.className = "small mb-0 py-2 " + className;
    line.setAttribute("role", role);
    line.textContent = text;
    if (href) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = label || href;
      line.appendChild(document.createTextNode(" "));
      line.appendChild(link);
    }
    body.replaceChildren(line);
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".expand-toggle");
    if (!toggle) { return; }
    var row = document.getElementById(toggle.getAttribute("aria-controls"));
    var expanded = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", expanded ? "false" : "true");
    toggle.classList.toggle("expanded", !expanded);
    row.hidden = expanded;
    var body = row.querySelector(".details-body");
    if (expanded || body.hasAttribute("data-loaded") || body.getAttribute("aria-busy") === "true") { return; }
    var texts = toggle.closest("[data-details-error]");
    var url = toggle.getAttribute("data-details-url");
    body.setAttribute("aria-busy", "true");
    message(body, texts.getAttribute("data-details-loading"), "text-body-secondary", "status");
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) { body.innerHTML = html; body.setAttribute("data-loaded", ""); })
      .catch(function () {
        var name = toggle.closest("tr").querySelector("th a");
        message(body, texts.getAttribute("data-details-error"), "text-danger", "alert", url, name && name.textContent);
      })
      .then(function () { body.removeAttribute("aria-busy"); });
  });
})();

// The viewer's time zone, so the server shows times in it (partnercenter.middleware.ViewerTimezoneMiddleware).
(function () {
  "use strict";
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.split("; ").indexOf("tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (error) { /* no Intl: times stay in UTC */ }
})();

// The console's search box (issue 24, item 4): "/" focuses it from anywhere but a field (as on GitHub).
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
  const box = document.getElementById("console-search-q");
  if (box) {
    event.preventDefault();
    box.focus();
  }
});
