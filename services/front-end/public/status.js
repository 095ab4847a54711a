// /status: redraws the sections from /status.json every few seconds, so the page stays live
// without reloading. Text only (textContent), never HTML from the response.
(function () {
  'use strict';
  var container = document.getElementById('status-sections');
  if (!container || !window.fetch) return;
  var seconds = Number(container.getAttribute('data-poll-seconds')) || 5;
  var generated = document.getElementById('status-generated');
  var refresh = document.getElementById('status-refresh');

  function element(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawSection(section) {
    var node = element('section');
    node.id = 'status-' + section.id;
    node.appendChild(element('h2', section.title));
    if (section.note) {
      var note = element('p', section.note);
      note.className = 'note';
      node.appendChild(note);
    }
    if (section.rows.length) {
      var table = element('table');
      var head = element('tr');
      section.columns.forEach(function (column) {
        var th = element('th', column);
        th.scope = 'col';
        head.appendChild(th);
      });
      table.appendChild(element('thead')).appendChild(head);
      var body = table.appendChild(element('tbody'));
      section.rows.forEach(function (row) {
        var tr = body.appendChild(element('tr'));
        row.forEach(function (cell) { tr.appendChild(element('td', cell)); });
      });
      node.appendChild(table);
    }
    return node;
  }

  function poll() {
    fetch('/status.json', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (res) {
        if (res.status === 401) { window.location.reload(); throw new Error('logged out'); }
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (report) {
        container.replaceChildren.apply(container, report.sections.map(drawSection));
        if (generated) {
          generated.dateTime = report.generatedAt;
          generated.textContent = report.generatedAt.replace('T', ' ').slice(0, 19) + ' UTC';
        }
        if (refresh) refresh.textContent = 'live, every ' + seconds + ' s';
      })
      .catch(function (err) {
        if (refresh) refresh.textContent = 'not updating (' + err.message + '), retrying';
      })
      .finally(function () { setTimeout(poll, seconds * 1000); });
  }
  setTimeout(poll, seconds * 1000);
})();
