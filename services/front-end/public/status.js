// /status: every few seconds, fetches the page's live part (/status/live: the topology, the
// charts and the tables, drawn by the server) and swaps it in, so the page stays live without
// a reload's flicker. Without JavaScript, the page's <meta refresh> reloads it instead.
(function () {
  'use strict';
  var live = document.getElementById('status-live');
  if (!live || !window.fetch || !('content' in document.createElement('template'))) return;
  var seconds = Number(live.getAttribute('data-poll-seconds')) || 5;
  var refresh = document.getElementById('status-refresh');

  function swap(html) {
    // Our own server's markup, same origin, escaped as it was rendered: parsed inert in a template.
    var template = document.createElement('template');
    template.innerHTML = html;
    live.replaceChildren(template.content);
  }

  function poll() {
    fetch('/status/live', { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) {
        if (res.status === 401) { window.location.reload(); throw new Error('logged out'); }
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.text();
      })
      .then(function (html) {
        swap(html);
        if (refresh) refresh.textContent = 'live, every ' + seconds + ' s';
      })
      .catch(function (err) {
        if (refresh) refresh.textContent = 'not updating (' + err.message + '), retrying';
      })
      .finally(function () { setTimeout(poll, seconds * 1000); });
  }
  setTimeout(poll, seconds * 1000);
})();
