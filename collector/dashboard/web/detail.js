// The detail page: engagement ratio with DAU and MAU beneath it for each value of a segment
// column (the platform, single or multi-device users, ...), and the completion rate of device
// connection; a segment picker and a date range. Every chart is also a table and a CSV download.
'use strict';

function drawSegment(rows, column, dates) {
  for (const [name, key, title] of [['segment_engagement', 'engagement_ratio', 'engagement ratio (%)'],
                                    ['segment_dau', 'dau', 'DAU'], ['segment_mau', 'mau', 'MAU']]) {
    const datasets = Dashboard.bySegment(rows, column, dates, key)
        .map(([value, data], i) => Dashboard.line(value, data, i));
    Dashboard.chart(name, dates, datasets, title);
  }
}

function drawCompletion(rows) {
  Dashboard.chart('completion_rate', rows.map((r) => r.date), [
    Dashboard.line('completion rate', rows.map((r) => r.completion_rate), 0, {borderWidth: 3}),
  ], 'completion rate (%)');
  const table = document.getElementById('completion_rate-table');
  // The counts behind the rate, beside it.
  const head = table.tHead.rows[0];
  head.appendChild(document.createElement('th')).textContent = 'sequences begun';
  head.appendChild(document.createElement('th')).textContent = 'devices connected';
  rows.forEach((r, i) => {
    const tr = table.tBodies[0].rows[i];
    tr.insertCell().textContent = r.sequences_begun;
    tr.insertCell().textContent = r.devices_connected;
  });
}

function setUpControls(info, range, column) {
  const picker = document.getElementById('segment');
  for (const name of info.segments) {
    const option = picker.appendChild(document.createElement('option'));
    option.value = option.textContent = name;
  }
  picker.value = column;
  document.getElementById('from').value = range.from;
  document.getElementById('to').value = range.to;
  document.getElementById('controls').addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams({segment: picker.value,
      from: document.getElementById('from').value, to: document.getElementById('to').value});
    window.location.search = params.toString();
  });
}

Dashboard.run(async () => {
  const info = await Dashboard.getJson('/api/v1/info');
  if (!info.last_day) throw new Error('no KPIs aggregated yet: run telemetry-collector aggregate');
  const range = Dashboard.range(info, 90);
  const column = Dashboard.query().get('segment') || 'userAgentOS';
  setUpControls(info, range, column);
  document.querySelectorAll('.segment-name').forEach((e) => { e.textContent = column; });
  for (const id of ['segment_engagement-csv', 'segment_dau-csv', 'segment_mau-csv']) {
    Dashboard.setLink(id, Dashboard.kpisUrl(range, column, 'csv'));
  }
  Dashboard.setLink('completion_rate-csv', Dashboard.kpisUrl(range, '', 'csv'));
  Dashboard.setLink('overview-link', `/dashboard/?from=${range.from}&to=${range.to}`);
  const [rows, segmentRows] = await Promise.all([
    Dashboard.getJson(Dashboard.kpisUrl(range)),
    Dashboard.getJson(Dashboard.kpisUrl(range, column)),
  ]);
  drawSegment(segmentRows, column, rows.map((r) => r.date));
  drawCompletion(rows);
});
