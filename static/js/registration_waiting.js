/* The registration page while it waits on AWS (templates/registrations/detail.html, #waiting): ask the
   small JSON status (registrations:status) every data-poll-seconds (10 by default) and reload the page
   once the status differs from the one it shows, or once a submission the page shows as on its way to
   AWS is no longer pending (data-submit-pending): the whole page changes then (form, denial box), not
   only the parts live.js swaps. Without JavaScript the <noscript> meta refresh reloads it. */
(function () {
  "use strict";
  var el = document.getElementById("waiting");
  if (!el || !window.fetch) { return; }
  var url = el.dataset.statusUrl, status = el.dataset.status, pending = el.dataset.submitPending;
  var every = Math.max(1, parseInt(el.dataset.pollSeconds, 10) || 10) * 1000;
  function changed(data) {
    if (data.status !== status) { return true; }
    return pending !== undefined && String(!!data.submit_pending) !== pending;
  }
  function check() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && changed(data)) { window.location.reload(); return; }
        window.setTimeout(check, every);
      })
      .catch(function () { window.setTimeout(check, Math.max(every, 30000)); });
  }
  window.setTimeout(check, every);
})();
