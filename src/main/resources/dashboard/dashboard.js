// Polls dashboard/data every second and moves the figures and charts. No build step, no CDN.
(function () {
  // Opened as ?token=: the server has answered with an HttpOnly session cookie, which every later request
  // of this page (data, reloads) carries. Drop the token from the address bar and the history entry.
  const query = new URLSearchParams(location.search);
  if (query.has('token')) {
    query.delete('token');
    const rest = query.toString();
    history.replaceState(history.state, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
  }
  // Names come from configuration and peers; shown as text, never as markup.
  const escape = value => String(value).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const base = location.pathname.replace(/\/$/, '');
  const points = 60;
  const labels = [];
  const line = (id, datasets) => new Chart(document.getElementById(id), {
    type: 'line',
    data: { labels, datasets: datasets.map(([label, color]) => ({ label, data: [], borderColor: color, tension: 0.3, pointRadius: 0 })) },
    options: { animation: false, responsive: true, scales: { y: { beginAtZero: true } }, plugins: { legend: { labels: { color: '#e2e8f0' } } } }
  });
  const connections = line('connections-chart', [['connections', '#38bdf8']]);
  const messages = line('messages-chart', [['in', '#a3e635'], ['out', '#f472b6']]);
  const channels = new Chart(document.getElementById('channels-chart'), {
    type: 'bar',
    data: { labels: [], datasets: [{ label: 'subscribers', data: [], backgroundColor: '#818cf8' }] },
    options: { animation: false, indexAxis: 'y', plugins: { legend: { display: false } } }
  });
  let previous = null;

  function push(chart, values) {
    chart.data.datasets.forEach((set, i) => { set.data.push(values[i]); if (set.data.length > points) set.data.shift(); });
  }

  function text(id, value) { document.getElementById(id).textContent = value; }

  async function tick() {
    try {
      const response = await fetch(base + '/data', { credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) { text('status', 'error ' + response.status); return; }
      const data = await response.json();
      const seconds = previous ? Math.max(0.001, (data.time_ms - previous.time_ms) / 1000) : 1;
      let total = 0, members = 0, inRate = 0, outRate = 0;
      const rows = [];
      const top = [];
      for (const app of data.apps) {
        const before = previous && previous.apps.find(a => a.id === app.id);
        const appIn = before ? Math.max(0, (app.messages_in - before.messages_in) / seconds) : 0;
        const appOut = before ? Math.max(0, (app.messages_out - before.messages_out) / seconds) : 0;
        total += app.connections; members += app.presence_members; inRate += appIn; outRate += appOut;
        rows.push(`<tr id="app-${escape(app.id)}"><td>${escape(app.name)}</td><td class="connections">${app.connections}</td>` +
          `<td>${app.channels}</td><td>${app.presence_members}</td><td>${appIn.toFixed(0)}</td><td>${appOut.toFixed(0)}</td></tr>`);
        app.top_channels.forEach(c => top.push([c.name, c.subscriptions]));
      }
      text('total-connections', total);
      text('total-members', members);
      text('rate-in', inRate.toFixed(0));
      text('rate-out', outRate.toFixed(0));
      text('node-count', data.nodes.length);
      document.getElementById('nodes').innerHTML = data.nodes.map(n => `<li>${escape(n)}${n === data.node ? ' (this node)' : ''}</li>`).join('');
      document.getElementById('apps').innerHTML = rows.join('');
      labels.push(new Date(data.time_ms).toLocaleTimeString());
      if (labels.length > points) labels.shift();
      push(connections, [total]);
      push(messages, [inRate, outRate]);
      connections.update(); messages.update();
      top.sort((a, b) => b[1] - a[1]);
      channels.data.labels = top.slice(0, 10).map(t => t[0]);
      channels.data.datasets[0].data = top.slice(0, 10).map(t => t[1]);
      channels.update();
      text('status', 'live · updated ' + new Date(data.time_ms).toLocaleTimeString());
      previous = data;
    } catch (e) {
      text('status', 'unreachable: ' + e);
    }
  }
  tick();
  setInterval(tick, 1000);
})();
