// What both dashboard pages share: the API, the date range, charts and their tables.
// Every chart is kept in window.dashboardCharts by name, and window.dashboardState says when
// the page is drawn (ready, renderMs since navigation) or what went wrong (error): the browser
// tests and the render benchmark read both.
'use strict';

window.dashboardCharts = {};
window.dashboardState = {ready: false, error: null, renderMs: null};

const Dashboard = (() => {
  const palette = ['#0060df', '#d70022', '#058b00', '#8000d7', '#c45a00', '#008ea4',
                   '#6e6e6e', '#b5007f', '#4a7700'];

  async function getJson(url) {
    const response = await fetch(url, {credentials: 'same-origin'});
    const body = await response.text();
    if (!response.ok) throw new Error(`${url}: ${response.status} ${body.trim()}`);
    return JSON.parse(body);
  }

  function query() { return new URLSearchParams(window.location.search); }

  function isoDay(date) { return date.toISOString().slice(0, 10); }

  // The range asked for in the page's URL, else the last `days` aggregated days.
  function range(info, days) {
    const params = query();
    const last = params.get('to') || info.last_day;
    let first = params.get('from');
    if (!first) {
      const start = new Date(last + 'T00:00:00Z');
      start.setUTCDate(start.getUTCDate() - (days - 1));
      first = isoDay(start);
      if (info.first_day && first < info.first_day) first = info.first_day;
    }
    return {from: first, to: last};
  }

  function kpisUrl(r, segment, format) {
    const params = new URLSearchParams({from: r.from, to: r.to});
    if (segment) params.set('segment', segment);
    if (format) params.set('format', format);
    return `/api/v1/kpis?${params}`;
  }

  // One series per value of the segment column, aligned on `dates` (null where it has no row).
  function bySegment(rows, column, dates, key) {
    const series = new Map();
    const index = new Map(dates.map((d, i) => [d, i]));
    for (const row of rows) {
      const name = row[column] === '' ? '(none)' : row[column];
      if (!series.has(name)) series.set(name, new Array(dates.length).fill(null));
      if (index.has(row.date)) series.get(name)[index.get(row.date)] = row[key];
    }
    return [...series.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  }

  // Seed 001's platforms, from the user-agent OS: desktop, Android or iOS.
  function platformOf(os) {
    if (/android/i.test(os)) return 'Android';
    if (/ios|iphone|ipad/i.test(os)) return 'iOS';
    return 'desktop';
  }

  function line(label, data, i, extra) {
    return Object.assign({label, data, borderColor: palette[i % palette.length],
                          backgroundColor: palette[i % palette.length], pointRadius: 0,
                          borderWidth: 2, tension: 0}, extra || {});
  }

  function goal(label, value, length) {
    return {label, data: new Array(length).fill(value), borderColor: '#333', borderDash: [6, 4],
            borderWidth: 1, pointRadius: 0, fill: false};
  }

  // A line chart in canvas#<name>, kept by name; a table of its data in table#<name>-table.
  function chart(name, labels, datasets, yTitle) {
    const canvas = document.getElementById(name);
    if (window.dashboardCharts[name]) window.dashboardCharts[name].destroy();
    window.dashboardCharts[name] = new Chart(canvas, {
      type: 'line',
      data: {labels, datasets},
      options: {
        // A year of days: no animation, labels measured on a sample, data known to be in order.
        animation: false, responsive: true, maintainAspectRatio: false, spanGaps: false,
        normalized: true,
        interaction: {mode: 'index', intersect: false},
        plugins: {legend: {position: 'bottom', labels: {filter: (item, data) =>
            !data.datasets[item.datasetIndex].hideInLegend}}},
        scales: {y: {title: {display: true, text: yTitle}, beginAtZero: true},
                 x: {ticks: {maxTicksLimit: 12, sampleSize: 24}}},
      },
    });
    table(name, labels, datasets);
    return window.dashboardCharts[name];
  }

  function table(name, labels, datasets) {
    const element = document.getElementById(`${name}-table`);
    if (!element) return;
    const head = ['date', ...datasets.map((d) => d.label)];
    const cell = (v) => v === null || v === undefined ? '' :
        (typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v));
    const rows = labels.map((label, i) => [label, ...datasets.map((d) => cell(d.data[i]))]);
    element.replaceChildren();
    const thead = element.createTHead().insertRow();
    for (const h of head) thead.appendChild(document.createElement('th')).textContent = h;
    const body = element.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const v of row) tr.insertCell().textContent = v;
    }
  }

  function setLink(id, href) {
    const link = document.getElementById(id);
    if (link) link.href = href;
  }

  // Runs the page's drawing; says when the charts are on screen, or shows the error.
  async function run(draw) {
    try {
      await draw();
      await new Promise((resolve) => requestAnimationFrame(() => resolve()));
      window.dashboardState.renderMs = performance.now();
      window.dashboardState.ready = true;
    } catch (error) {
      window.dashboardState.error = String(error.message || error);
      const box = document.getElementById('error');
      box.textContent = window.dashboardState.error;
      box.hidden = false;
    }
  }

  return {getJson, query, range, kpisUrl, bySegment, platformOf, line, goal, chart, setLink, run};
})();
