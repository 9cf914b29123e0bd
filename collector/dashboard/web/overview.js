// The overview of seed 001: engagement ratio (overall, per platform, multi-device users),
// multi-device usage (raw counts or, toggled, a percentage of all active users) and the time to
// connect a device (median and quartiles, new and existing accounts), with the 2016 goals.
'use strict';

let overviewRows = [];
let overviewGoals = {};

function drawEngagement(rows, osRows) {
  const dates = rows.map((r) => r.date);
  const datasets = [
    Dashboard.line('all users', rows.map((r) => r.engagement_ratio), 0, {borderWidth: 3}),
    Dashboard.line('multi-device users', rows.map((r) => r.md_engagement_ratio), 1),
  ];
  // Events without a user agent (an account server's) belong to no platform.
  const platforms = osRows.filter((r) => r.userAgentOS !== '');
  Dashboard.bySegment(platforms, 'userAgentOS', dates, 'engagement_ratio').forEach(([os, data], i) => {
    const platform = Dashboard.platformOf(os);
    datasets.push(Dashboard.line(platform === os ? os : `${platform} (${os})`, data, i + 2));
  });
  Dashboard.chart('engagement', dates, datasets, 'engagement ratio (%)');
}

function percent(part, whole) { return whole > 0 ? 100 * part / whole : null; }

function drawMultiDevice(asPercentage) {
  const rows = overviewRows;
  const dates = rows.map((r) => r.date);
  const goal = overviewGoals.multi_device_percent;
  let datasets;
  if (asPercentage) {
    datasets = [
      Dashboard.line('multi-device % of DAU', rows.map((r) => percent(r.md_dau, r.dau)), 0),
      Dashboard.line('multi-device % of MAU', rows.map((r) => percent(r.md_mau, r.mau)), 1),
      Dashboard.goal(`goal: at least ${goal} % of DAU`, goal, rows.length),
    ];
  } else {
    datasets = [
      Dashboard.line('DAU', rows.map((r) => r.dau), 0),
      Dashboard.line('multi-device DAU', rows.map((r) => r.md_dau), 1),
      Dashboard.line('MAU', rows.map((r) => r.mau), 2),
      Dashboard.line('multi-device MAU', rows.map((r) => r.md_mau), 3),
    ];
  }
  Dashboard.chart('multi_device', dates, datasets, asPercentage ? '% of active users' : 'users');
  const toggle = document.getElementById('md-toggle');
  toggle.textContent = asPercentage ? 'Show raw counts' : 'Show as percentage';
  toggle.dataset.mode = asPercentage ? 'percentage' : 'raw';
}

function drawTimeToConnect(name, prefix, goalSeconds, who) {
  const rows = overviewRows;
  const dates = rows.map((r) => r.date);
  const band = {borderColor: 'rgba(0,96,223,0.25)', backgroundColor: 'rgba(0,96,223,0.15)',
                pointRadius: 0, borderWidth: 1};
  Dashboard.chart(name, dates, [
    Object.assign({label: 'p25', data: rows.map((r) => r[`${prefix}_p25`]), fill: false,
                   hideInLegend: true}, band),
    Object.assign({label: 'p75', data: rows.map((r) => r[`${prefix}_p75`]), fill: '-1',
                   hideInLegend: true}, band),
    Dashboard.line('median', rows.map((r) => r[`${prefix}_p50`]), 0, {borderWidth: 3}),
    Dashboard.goal(`goal: median under ${goalSeconds} s (${who})`, goalSeconds, rows.length),
  ], 'seconds');
}

Dashboard.run(async () => {
  const info = await Dashboard.getJson('/api/v1/info');
  if (!info.last_day) throw new Error('no KPIs aggregated yet: run telemetry-collector aggregate');
  overviewGoals = info.goals;
  const range = Dashboard.range(info, 365);
  document.getElementById('range').textContent = `${range.from} to ${range.to}`;
  Dashboard.setLink('detail-link', `/dashboard/detail?from=${range.from}&to=${range.to}`);
  Dashboard.setLink('csv', Dashboard.kpisUrl(range, '', 'csv'));
  const [rows, osRows] = await Promise.all([
    Dashboard.getJson(Dashboard.kpisUrl(range)),
    Dashboard.getJson(Dashboard.kpisUrl(range, 'userAgentOS')),
  ]);
  overviewRows = rows;
  drawEngagement(rows, osRows);
  drawMultiDevice(false);
  drawTimeToConnect('ttc_new', 'ttc_new', info.goals.ttc_new_seconds, 'new accounts');
  drawTimeToConnect('ttc_existing', 'ttc_existing', info.goals.ttc_existing_seconds,
                    'existing accounts');
  document.getElementById('md-toggle').addEventListener('click', (event) => {
    drawMultiDevice(event.target.dataset.mode === 'raw');
  });
});
