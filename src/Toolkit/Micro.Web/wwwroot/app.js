// micro web: draws each page from the JSON API and keeps it live from the registry feed (/events).
'use strict';

const main = document.getElementById('main');
const live = document.getElementById('live');
const page = document.body.dataset.page;
const serviceName = document.body.dataset.service;
// Where the dashboard is mapped (MapMicroDashboard("/ops")): every link and request starts with it; empty at the root.
const base = document.body.dataset.base || '';
// The page's CSRF token: what the dashboard asks of every request that changes something.
const csrf = document.querySelector('meta[name="micro-csrf"]')?.content || '';

function postHeaders() {
  return { 'Content-Type': 'application/json', 'X-Micro-Csrf': csrf };
}

function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c.nodeType ? c : document.createTextNode(String(c)));
  }
  return e;
}

function render(node) {
  main.replaceChildren(node);
}

async function errorOf(response) {
  const text = await response.text();
  try {
    const e = JSON.parse(text);
    return new Error(e.detail || text);
  } catch {
    return new Error(text || response.statusText);
  }
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// ---- Services -------------------------------------------------------------------------------------------------

async function services() {
  const list = await getJson(base + '/api/services');
  const rows = list.map(s => h('tr', { 'data-testid': 'service-' + s.name },
    h('td', {}, h('a', { href: base + '/service/' + encodeURIComponent(s.name) }, s.name), s.webApp ? h('span', { class: 'tag' }, 'web') : null),
    h('td', {}, s.versions.map(v => h('span', { class: 'badge' }, v))),
    h('td', { class: 'num' }, s.nodes)));
  render(h('section', {},
    h('div', { class: 'title' }, h('h1', {}, 'Services'), h('span', { class: 'count', 'data-testid': 'service-count' }, plural(list.length, 'service'))),
    list.length === 0
      ? h('p', { class: 'empty' }, 'No services are registered yet. Start one (for example ', h('code', {}, 'dotnet run --project examples/Greeter/Service'), ') and it appears here by itself.')
      : h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Versions'), h('th', { class: 'num' }, 'Nodes'))),
        h('tbody', {}, rows))));
}

// ---- One service ------------------------------------------------------------------------------------------------

function fields(value) {
  if (!value || !value.values || value.values.length === 0) return h('p', { class: 'muted' }, 'no fields');
  return h('ul', { class: 'fields' }, value.values.map(f =>
    h('li', {}, h('code', {}, f.name), ' ', h('span', { class: 'type' }, f.type), f.values && f.values.length ? fields(f) : null)));
}

function nodesTable(nodes) {
  return h('table', { class: 'grid', 'data-testid': 'nodes' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Node'), h('th', {}, 'Address'), h('th', {}, 'Metadata'))),
    h('tbody', {}, nodes.map(n => h('tr', {},
      h('td', {}, h('code', {}, n.id)),
      h('td', {}, h('code', {}, n.address)),
      h('td', {}, Object.entries(n.metadata || {}).map(([k, v]) => h('span', { class: 'kv' }, `${k}=${v}`)))))));
}

function endpointCard(service, ep) {
  const id = ep.name;
  const stream = ep.metadata && ep.metadata.stream === 'true';
  const input = h('textarea', { 'data-testid': 'request-' + id, spellcheck: 'false', rows: Math.min(14, ep.skeleton.split('\n').length + 1) }, ep.skeleton);
  const reply = h('pre', { class: 'reply', 'data-testid': 'reply-' + id, hidden: true });
  const button = h('button', {
    'data-testid': 'call-' + id,
    onclick: async () => {
      button.disabled = true;
      reply.hidden = false;
      reply.className = 'reply pending';
      reply.textContent = 'calling…';
      try {
        const response = await fetch(base + '/api/call', {
          method: 'POST',
          headers: postHeaders(),
          body: JSON.stringify({ service, endpoint: id, request: input.value }),
        });
        reply.className = 'reply ' + (response.ok ? 'ok' : 'error');
        reply.textContent = pretty(await response.text());
      } catch (e) {
        reply.className = 'reply error';
        reply.textContent = e.message;
      } finally {
        button.disabled = false;
      }
    },
  }, 'Call');
  return h('article', { class: 'card', 'data-testid': 'endpoint-' + id },
    h('header', {}, h('h3', {}, id), stream ? h('span', { class: 'tag' }, 'stream') : null),
    h('div', { class: 'cols' },
      h('div', {}, h('h4', {}, 'Request'), fields(ep.request)),
      h('div', {}, h('h4', {}, 'Response'), fields(ep.response))),
    stream
      ? h('p', { class: 'muted' }, 'A stream endpoint: try ', h('code', {}, `stream ${service} ${id} {...}`), ' in the terminal.')
      : h('div', { class: 'call' }, input, h('div', { class: 'actions' }, button, h('span', { class: 'muted' }, `${service} ${id}`)), reply));
}

let shownEndpoints = null;

// ---- Charts: request rate, error rate and latency from the service's metrics (/api/metrics/{name}) ---------------

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function number(v, digits) {
  if (v === null || v === undefined) return '–';
  return v >= 100 ? v.toFixed(0) : v.toFixed(digits);
}

function lineChart(id, title, latest, lines, points) {
  const W = 360, H = 120, L = 40, B = 18, T = 8;
  const values = lines.flatMap(l => points.map(p => p[l.key])).filter(v => v !== null && v !== undefined);
  const top = Math.max(...values, 0) || 1;
  const x = i => L + (points.length < 2 ? W - L : (i * (W - L)) / (points.length - 1));
  const y = v => T + (H - T - B) * (1 - v / top);
  const plot = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot', role: 'img', 'aria-label': title },
    svg('line', { x1: L, y1: y(0), x2: W, y2: y(0), class: 'axis' }),
    svg('text', { x: L - 6, y: y(top) + 4, 'text-anchor': 'end', class: 'tick' }, number(top, 1)),
    svg('text', { x: L - 6, y: y(0) + 4, 'text-anchor': 'end', class: 'tick' }, '0'),
    ...lines.flatMap((l, n) => {
      let d = '';
      let end = null;
      points.forEach((p, i) => {
        const v = p[l.key];
        if (v === null || v === undefined) return;
        d += (d ? ' L ' : 'M ') + x(i).toFixed(1) + ' ' + y(v).toFixed(1);
        end = [x(i), y(v)];
      });
      const drawn = points.filter(p => p[l.key] !== null && p[l.key] !== undefined).length;
      const path = svg('path', { d: d || 'M 0 0', class: 'series s' + n, 'data-points': drawn });
      // The latest point as a dot, so a series of one point shows too.
      return end ? [path, svg('circle', { cx: end[0].toFixed(1), cy: end[1].toFixed(1), r: 3, class: 'dot s' + n })] : [path];
    }));
  return h('figure', { class: 'chart', 'data-testid': 'chart-' + id },
    h('figcaption', {}, h('span', {}, title), h('span', { class: 'value', 'data-testid': 'chart-' + id + '-value' }, latest)),
    plot,
    h('div', { class: 'legend' }, lines.map((l, n) => h('span', { class: 'key s' + n }, l.name))));
}

const charts = h('div', { class: 'charts', 'data-testid': 'charts' }, h('p', { class: 'muted' }, 'Collecting metrics…'));
let chartTimer = null;

async function drawCharts() {
  let m;
  try {
    m = await getJson(base + '/api/metrics/' + encodeURIComponent(serviceName));
  } catch (e) {
    charts.replaceChildren(h('p', { class: 'muted' }, 'Metrics unavailable: ' + e.message));
    return;
  }
  const points = m.points;
  const last = points[points.length - 1] || {};
  if (points.length === 0) {
    charts.replaceChildren(h('p', { class: 'muted' }, `Collecting metrics from ${plural(m.nodes, 'node')}… (a point every 2 s)`));
    return;
  }
  const errorShare = last.requests > 0 ? ` (${(100 * last.errors / last.requests).toFixed(1)}%)` : '';
  charts.replaceChildren(...[
    lineChart('requests', 'Requests', number(last.requests, 2) + '/s', [{ key: 'requests', name: 'requests/s' }], points),
    lineChart('errors', 'Errors', number(last.errors, 2) + '/s' + errorShare, [{ key: 'errors', name: 'errors/s' }], points),
    lineChart('latency', 'Latency', `p50 ${number(last.p50Ms, 2)} ms · p99 ${number(last.p99Ms, 2)} ms`,
      [{ key: 'p50Ms', name: 'p50 ms' }, { key: 'p99Ms', name: 'p99 ms' }], points),
    m.problems.length ? h('p', { class: 'muted problems' }, 'Not read: ' + m.problems.join('; ')) : null,
  ].filter(Boolean));
}

function startCharts() {
  if (chartTimer !== null) return;
  drawCharts();
  chartTimer = setInterval(drawCharts, 2000);
}

async function service() {
  let detail;
  try {
    detail = await getJson(base + '/api/services/' + encodeURIComponent(serviceName));
  } catch (e) {
    const gone = document.querySelector('[data-testid="nodes-section"]');
    if (gone && shownEndpoints !== null) {
      gone.replaceChildren(h('p', { class: 'empty', 'data-testid': 'gone' }, e.message));
      return;
    }
    render(h('section', {}, h('div', { class: 'title' }, h('h1', {}, serviceName), h('a', { href: base + '/' }, '← all services')),
      h('p', { class: 'empty', 'data-testid': 'gone' }, e.message)));
    return;
  }

  const endpoints = detail.versions.flatMap(v => v.endpoints.map(e => e.name)).join(',');
  const nodes = h('div', { 'data-testid': 'nodes-section' }, detail.versions.map(v => [
    h('h2', {}, 'Version ', h('span', { class: 'badge' }, v.version), h('span', { class: 'count' }, plural(v.nodes.length, 'node'))),
    nodesTable(v.nodes)]));
  if (shownEndpoints === endpoints) {
    // Only the nodes changed: keep the call forms as they are (and what was typed in them).
    document.querySelector('[data-testid="nodes-section"]').replaceWith(nodes);
    return;
  }

  shownEndpoints = endpoints;
  const cards = detail.versions[0].endpoints.map(ep => endpointCard(detail.name, ep));
  render(h('section', {},
    h('div', { class: 'title' }, h('h1', {}, detail.name), h('a', { href: base + '/' }, '← all services')),
    h('h2', {}, 'Traffic', h('span', { class: 'count' }, 'from the nodes\' metrics')),
    charts,
    nodes,
    h('h2', {}, 'Endpoints', h('span', { class: 'count' }, plural(cards.length, 'endpoint'))),
    cards));
  startCharts();
}

// ---- Web apps ---------------------------------------------------------------------------------------------------

async function apps() {
  const list = await getJson(base + '/api/apps');
  render(h('section', {},
    h('div', { class: 'title' }, h('h1', {}, 'Web apps'), h('span', { class: 'count' }, plural(list.length, 'app'))),
    list.length === 0
      ? h('p', { class: 'empty' }, 'No web apps are registered. An ASP.NET Core app calling ', h('code', {}, 'services.AddMicroWebApp("hello")'), ' shows here and at /hello.')
      : h('div', { class: 'apps' }, list.map(a => h('a', { class: 'card app', href: a.path, 'data-testid': 'app-' + a.name },
        h('h3', {}, a.name), h('p', { class: 'muted' }, a.service), h('span', { class: 'count' }, plural(a.nodes, 'node')))))));
}

// ---- Terminal ---------------------------------------------------------------------------------------------------

function terminal() {
  const log = h('pre', { class: 'terminal', 'data-testid': 'terminal-output' },
    'Commands as in the micro CLI: list services, get service <name>, call <service> <endpoint> <json>, health <service>, publish <topic> <json>, stream …\n');
  const history = [];
  let back = 0;
  const input = h('input', { 'data-testid': 'terminal-input', autocomplete: 'off', spellcheck: 'false', placeholder: 'list services', autofocus: true });
  const form = h('form', {
    class: 'prompt',
    onsubmit: async e => {
      e.preventDefault();
      const line = input.value.trim();
      if (!line) return;
      history.push(line);
      back = 0;
      input.value = '';
      log.append(h('span', { class: 'cmd' }, '$ micro ' + line + '\n'));
      input.disabled = true;
      try {
        const response = await fetch(base + '/api/terminal', { method: 'POST', headers: postHeaders(), body: JSON.stringify({ line }) });
        const result = await response.json();
        log.append(h('span', { class: result.exitCode === 0 ? 'out' : 'err' }, result.output || '(no output)\n'));
      } catch (err) {
        log.append(h('span', { class: 'err' }, err.message + '\n'));
      } finally {
        input.disabled = false;
        input.focus();
        log.scrollTop = log.scrollHeight;
      }
    },
  }, h('span', { class: 'ps1' }, '$ micro'), input);
  input.addEventListener('keydown', e => {
    if (e.key === 'ArrowUp' && back < history.length) input.value = history[history.length - ++back];
    if (e.key === 'ArrowDown' && back > 0) input.value = --back === 0 ? '' : history[history.length - back];
  });
  render(h('section', {}, h('div', { class: 'title' }, h('h1', {}, 'Terminal')), log, form));
  input.focus();
}

// ---- Live updates -----------------------------------------------------------------------------------------------

const pages = { services, service, apps, terminal };
const draw = pages[page];
let pending = null;

function refresh(change) {
  if (page === 'service' && change && change.service !== serviceName) return;
  clearTimeout(pending);
  pending = setTimeout(() => draw().catch(showError), 100); // a burst of changes redraws once
}

function showError(e) {
  render(h('p', { class: 'empty' }, 'Could not load this page: ' + e.message));
}

if (draw) {
  draw().catch(showError);
  if (page !== 'terminal') {
    const events = new EventSource(base + '/events');
    events.addEventListener('open', () => { live.textContent = 'live'; live.className = 'live on'; });
    events.addEventListener('error', () => { live.textContent = 'reconnecting'; live.className = 'live off'; });
    events.addEventListener('registry', e => refresh(JSON.parse(e.data)));
  } else {
    live.hidden = true;
  }
} else {
  live.hidden = true;
}
