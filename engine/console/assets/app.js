// The duty officer's console: level, episode, AQI, orders, warnings and
// dead letters, with every action behind a reason and a confirmation.
import { t, toggleLang, applyStatic, townName } from './i18n.js';
import {
  Api, el, clear, fmtTime, nowLocal8, levelName, levelBadge, measureText, errorText,
  notAvailable, announce, trapFocus, confirmAction,
} from './ui.js';

const api = new Api('smogd.officer.token');
const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 20;
const STATUS_POLL_MS = 5000;

const state = {
  status: null,
  statusAt: null,
  episode: null,
  timers: [],
  orders: { page: 0, rows: [], total: 0, clientSide: false, all: [] },
  detailId: null,
};

// ---------- sign-in ----------

async function signIn(token) {
  api.setToken(token);
  try {
    await api.loadRoutes();
    state.status = await api.get('/v1/status');
  } catch (e) {
    api.setToken('');
    $('signin-error').textContent = e.status === 401 ? t('signin.bad_token')
      : e.status === 403 ? t('signin.wrong_role') : errorText(e);
    showSignIn();
    return;
  }
  $('signin-error').textContent = '';
  $('signin').hidden = true;
  $('console').hidden = false;
  $('sign-out').hidden = false;
  state.statusAt = new Date();
  renderStatus();
  refreshAll();
  startPolling();
}

function showSignIn() {
  stopPolling();
  $('signin').hidden = false;
  $('console').hidden = true;
  $('sign-out').hidden = true;
  $('token').value = '';
  $('token').focus();
}

function signOut() {
  api.setToken('');
  showSignIn();
}

// A 401 anywhere means the token was revoked: back to sign-in.
function onError(e, where) {
  if (e && e.status === 401) {
    $('signin-error').textContent = t('signin.bad_token');
    signOut();
    return true;
  }
  if (where) clear(where, e && e.status === 404 ? notAvailable() : el('p', { class: 'form-error' }, errorText(e)));
  return false;
}

function startPolling() {
  stopPolling();
  state.timers.push(setInterval(pollStatus, STATUS_POLL_MS));
  state.timers.push(setInterval(loadAqi, 60000));
  state.timers.push(setInterval(() => { loadWarnings(); loadDeliveries(); loadProposals(); }, 30000));
}

function stopPolling() {
  for (const id of state.timers) clearInterval(id);
  state.timers = [];
}

function refreshAll() {
  loadEpisode();
  loadAqi();
  loadProposals();
  loadOrders();
  loadWarnings();
  loadDeliveries();
}

// ---------- level and episode ----------

async function pollStatus() {
  if (!api.token) return;
  const before = state.status;
  try {
    state.status = await api.get('/v1/status');
    state.statusAt = new Date();
  } catch (e) {
    if (onError(e)) return;
    $('level-updated').textContent = t('level.stale', { t: state.statusAt ? state.statusAt.toLocaleTimeString() : '—' });
    $('level-updated').classList.add('warn');
    return;
  }
  $('level-updated').classList.remove('warn');
  renderStatus();
  const changed = !before || before.level !== state.status.level || before.episode_id !== state.status.episode_id
    || JSON.stringify(before.orders) !== JSON.stringify(state.status.orders)
    || JSON.stringify(before.sources) !== JSON.stringify(state.status.sources);
  if (changed) {
    loadEpisode();
    loadOrders();
    loadWarnings();
  }
}

function renderStatus() {
  const s = state.status;
  if (!s) return;
  const level = ['yellow', 'orange', 'red'].includes(s.level) ? s.level : 'none';
  const big = $('level-big');
  big.className = 'level-big level-' + level;
  big.dataset.level = level;
  big.textContent = levelName(level);
  $('level-since').textContent = s.since ? t('level.since', { t: fmtTime(s.since) }) : '';
  const dl = clear($('level-sources'));
  for (const k of ['municipal', 'local', 'manual']) {
    const v = s.sources ? s.sources[k] : 'none';
    dl.append(el('div', { class: 'source' + (v && v !== 'none' ? ' on' : '') , dataset: { source: k } },
      el('dt', {}, t('source.' + k)), el('dd', {}, levelBadge(v))));
  }
  const o = s.orders || {};
  $('level-orders').textContent = t('level.orders', o);
  const drill = $('level-drill');
  drill.hidden = !s.drill;
  if (s.drill) drill.textContent = t('level.drill', { level: levelName(s.drill.level), id: s.drill.episode_id });
  $('level-updated').textContent = t('level.updated', { t: state.statusAt ? state.statusAt.toLocaleTimeString() : '' });
  $('clear-manual').disabled = !s.sources || s.sources.manual === 'none' && s.sources.local === 'none';
}

async function loadEpisode() {
  const box = $('episode');
  const id = state.status && state.status.episode_id;
  if (!id) {
    state.episode = null;
    clear(box, el('h3', {}, t('episode.title')), el('p', { class: 'muted' }, t('episode.none')));
    return;
  }
  try {
    state.episode = await api.get('/v1/episodes/' + id);
  } catch (e) {
    onError(e, box);
    return;
  }
  renderEpisode();
}

function renderEpisode() {
  const box = $('episode');
  const ep = state.episode;
  if (!ep) return;
  const o = ep.orders || {};
  const c = ep.compliance || {};
  const rate = typeof o.ack_rate === 'number' ? Math.round(o.ack_rate * 100) + '%' : '—';
  const rows = (ep.timeline || []).slice().reverse().map((d) => el('tr', {},
    el('td', {}, fmtTime(d.at)),
    el('td', {}, levelBadge(d.from), ' → ', levelBadge(d.to)),
    el('td', {}, t('source.' + d.source) !== 'source.' + d.source ? t('source.' + d.source) : d.source),
    el('td', {}, d.actor || '—'),
    el('td', {}, d.reason || '—'),
    el('td', {}, d.orders ? `${d.orders.issued}/${d.orders.superseded}/${d.orders.lifted}` : '—')));
  const reportBox = el('div', { id: 'report-box' });
  const reportBtn = el('button', { type: 'button', id: 'report-button', onclick: () => loadReport(ep.id, reportBox) }, t('episode.report'));
  if (!api.has('GET', '/v1/episodes/{}/report')) reportBtn.disabled = true;
  clear(box,
    el('h3', {}, t('episode.title') + ' #' + ep.id, ep.drill ? el('span', { class: 'badge drill' }, t('drill')) : null),
    el('p', {}, fmtTime(ep.opened_at), ' — ', ep.closed_at ? fmtTime(ep.closed_at) : '…', ' · ', levelBadge(ep.max_level)),
    el('p', { id: 'episode-figures' }, t('episode.figures', {
      enterprises: o.enterprises, active: o.active, acknowledged: o.acknowledged,
      on_time: o.acknowledged_on_time, overdue: o.overdue, rate,
    })),
    el('p', {}, t('episode.compliance', c)),
    el('h4', {}, t('episode.timeline')),
    el('div', { class: 'table-wrap' }, el('table', { id: 'timeline' },
      el('thead', {}, el('tr', {}, ['timeline.at', 'timeline.change', 'timeline.source', 'timeline.actor',
        'timeline.reason', 'timeline.orders'].map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, rows))),
    el('p', {}, reportBtn),
    api.has('GET', '/v1/episodes/{}/report') ? reportBox : clear(reportBox, notAvailable()));
}

async function loadReport(id, box) {
  clear(box, el('p', { class: 'muted' }, t('loading')));
  try {
    const r = await fetch('/v1/episodes/' + id + '/report', { headers: { Authorization: 'Bearer ' + api.token }, cache: 'no-store' });
    if (!r.ok) {
      if (r.status === 404) { clear(box, notAvailable()); return; }
      throw new Error(r.status + ' ' + r.statusText);
    }
    const type = r.headers.get('Content-Type') || 'application/octet-stream';
    const blob = await r.blob();
    const ext = type.includes('json') ? 'json' : type.includes('html') ? 'html' : type.includes('csv') ? 'csv' : 'txt';
    const url = URL.createObjectURL(blob);
    const text = type.startsWith('text/') || type.includes('json') ? await blob.text() : '';
    clear(box, el('p', {}, t('episode.report_ready'), ' ',
      el('a', { href: url, download: `episode-${id}-report.${ext}` }, t('episode.report_download'))),
      text ? el('pre', { class: 'original' }, type.includes('json') ? JSON.stringify(JSON.parse(text), null, 2) : text) : null);
  } catch (e) {
    clear(box, el('p', { class: 'form-error' }, errorText(e)));
  }
}

async function escalate(level) {
  const clearing = level === 'none';
  const ans = await confirmAction({
    title: clearing ? t('escalate.clear_title') : t('escalate.title'),
    body: clearing ? t('escalate.clear_body') : t('escalate.body', { level: levelName(level) }),
    danger: !clearing,
  });
  if (!ans) return;
  try {
    state.status = await api.post('/v1/escalations', { level, reason: ans.reason });
    state.statusAt = new Date();
    renderStatus();
    announce(clearing ? t('done') : t('escalate.done', { level: levelName(level) }));
    loadEpisode();
    loadOrders();
  } catch (e) {
    if (!onError(e)) announce(errorText(e), 'error');
  }
}

// ---------- AQI ----------

const STALE_MS = 3 * 3600 * 1000;

function isStale(st) {
  if (st.stale === true) return true;
  if (st.stale === false) return false;
  const at = st.hourly && st.hourly.at ? Date.parse(st.hourly.at) : NaN;
  return !Number.isFinite(at) || Date.now() - at > STALE_MS;
}

function aqiClass(v) {
  if (typeof v !== 'number') return 'aqi-none';
  if (v <= 50) return 'aqi-1';
  if (v <= 100) return 'aqi-2';
  if (v <= 150) return 'aqi-3';
  if (v <= 200) return 'aqi-4';
  if (v <= 300) return 'aqi-5';
  return 'aqi-6';
}

function aqiCell(x) {
  const v = x && typeof x.aqi === 'number' ? x.aqi : null;
  return el('span', { class: 'aqi ' + aqiClass(v) }, v === null ? '—' : String(v));
}

function primaryText(x) {
  if (!x || !x.primary) return '—';
  return Array.isArray(x.primary) ? (x.primary.join(', ') || '—') : String(x.primary);
}

async function loadAqi() {
  const body = $('aqi-body');
  const chart = $('aqi-chart');
  if (!api.has('GET', '/v1/aqi')) {
    clear(body, notAvailable());
    clear(chart);
    return;
  }
  let data;
  let names = {};
  try {
    data = await api.get('/v1/aqi');
    if (api.has('GET', '/v1/stations') && api.routes) {
      try {
        const s = await api.get('/v1/stations');
        for (const x of s.stations || []) names[x.id || x.station] = x.name || x.id;
      } catch (e) { names = {}; }
    }
  } catch (e) {
    onError(e, body);
    clear(chart);
    return;
  }
  const county = data.county || {};
  const stations = data.stations || [];
  clear(body,
    el('div', { class: 'aqi-county' },
      el('div', { class: 'aqi-tile' }, el('span', { class: 'label' }, t('aqi.county') + ' · ' + t('aqi.hourly')),
        aqiCell(county.hourly), el('span', { class: 'muted' }, fmtTime(county.hourly && county.hourly.at))),
      el('div', { class: 'aqi-tile' }, el('span', { class: 'label' }, t('aqi.county') + ' · ' + t('aqi.daily')),
        aqiCell(county.daily), el('span', { class: 'muted' }, fmtTime(county.daily && county.daily.at)))),
    stations.length === 0 ? el('p', { class: 'muted' }, t('aqi.no_data')) :
      el('div', { class: 'table-wrap' }, el('table', { id: 'stations' },
        el('thead', {}, el('tr', {}, ['aqi.station', 'aqi.hourly', 'aqi.daily', 'aqi.primary', 'aqi.at', 'aqi.state']
          .map((k) => el('th', { scope: 'col' }, t(k))))),
        el('tbody', {}, stations.map((st) => {
          const stale = isStale(st);
          return el('tr', { class: stale ? 'stale' : '' },
            el('td', {}, names[st.station] || st.name || st.station),
            el('td', {}, aqiCell(st.hourly)),
            el('td', {}, aqiCell(st.daily)),
            el('td', {}, primaryText(st.hourly)),
            el('td', {}, fmtTime(st.hourly && st.hourly.at)),
            el('td', {}, stale ? el('span', { class: 'badge stale' }, t('aqi.stale')) : t('aqi.ok')));
        })))));
  if (!api.has('GET', '/v1/aqi/history')) { clear(chart, notAvailable()); return; }
  try {
    const hist = await api.get('/v1/aqi/history?days=7');
    drawChart(chart, historySeries(hist, names));
  } catch (e) {
    onError(e, chart);
  }
}

// Finds every array of {at, aqi} points in the history reply, whatever its
// nesting, and names each series after the key or station it sits under.
function historySeries(data, names) {
  const out = [];
  const point = (p) => {
    const v = typeof p.aqi === 'number' ? p.aqi : typeof p.value === 'number' ? p.value
      : p.hourly && typeof p.hourly.aqi === 'number' ? p.hourly.aqi : NaN;
    return { x: Date.parse(p.at || p.hour || p.time), y: v };
  };
  const walk = (node, label) => {
    if (Array.isArray(node)) {
      if (node.length && node.every((p) => p && typeof p === 'object' && (p.at || p.hour || p.time))) {
        const groups = new Map();
        for (const p of node) {
          const key = p.station ? (names[p.station] || p.station) : label;
          if (!groups.has(key)) groups.set(key, []);
          groups.get(key).push(point(p));
        }
        for (const [k, pts] of groups) out.push({ label: k, points: pts.filter((q) => Number.isFinite(q.x) && Number.isFinite(q.y)) });
      } else {
        for (const x of node) walk(x, x && typeof x === 'object' ? (names[x.station] || x.station || x.name || x.id || label) : label);
      }
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (!v || typeof v !== 'object') continue;
        const inner = ['points', 'values', 'series', 'history', 'data', 'stations'].includes(k) ? label
          : k === 'county' ? t('aqi.county') : ['hourly', 'daily'].includes(k) ? `${label || ''} ${t('aqi.' + k)}`.trim() : k;
        walk(v, inner);
      }
    }
  };
  walk(data, '');
  return out.filter((s) => s.points.length).slice(0, 8);
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...kids) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
  for (const k of kids) n.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return n;
}

// A line chart with the AQI category bands behind it.
function drawChart(box, series) {
  if (!series.length) { clear(box, el('p', { class: 'muted' }, t('aqi.no_data'))); return; }
  const W = 720, H = 240, L = 40, R = 10, T = 10, B = 28;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 3600000);
  const yMax = Math.max(100, Math.ceil(Math.max(...ys) / 50) * 50);
  const sx = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = (y) => T + (1 - y / yMax) * (H - T - B);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('aqi.chart_label'), class: 'aqi-svg' });
  root.append(svg('title', {}, t('aqi.chart_label')));
  const bands = [[0, 50, 'aqi-1'], [50, 100, 'aqi-2'], [100, 150, 'aqi-3'], [150, 200, 'aqi-4'], [200, 300, 'aqi-5'], [300, 500, 'aqi-6']];
  for (const [a, b, cls] of bands) {
    if (a >= yMax) break;
    root.append(svg('rect', { x: L, y: sy(Math.min(b, yMax)), width: W - L - R, height: sy(a) - sy(Math.min(b, yMax)), class: 'band ' + cls }));
  }
  for (let y = 0; y <= yMax; y += yMax > 300 ? 100 : 50) {
    root.append(svg('line', { x1: L, x2: W - R, y1: sy(y), y2: sy(y), class: 'grid' }));
    root.append(svg('text', { x: L - 4, y: sy(y) + 4, class: 'tick', 'text-anchor': 'end' }, y));
  }
  const day = 86400000;
  const firstDay = Math.ceil((x0 + 8 * 3600000) / day) * day - 8 * 3600000;
  for (let d = firstDay; d <= x1; d += day) {
    const label = new Date(d + 8 * 3600000).toISOString().slice(5, 10);
    root.append(svg('line', { x1: sx(d), x2: sx(d), y1: T, y2: H - B, class: 'grid' }));
    root.append(svg('text', { x: sx(d), y: H - 8, class: 'tick', 'text-anchor': 'middle' }, label));
  }
  const legend = el('ul', { class: 'legend' });
  series.forEach((s, i) => {
    const pts = s.points.slice().sort((a, b) => a.x - b.x);
    const d = pts.map((p, j) => `${j ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    const county = s.label && s.label.startsWith(t('aqi.county'));
    root.append(svg('path', { d, class: `series s${i}${county ? ' county' : ''}` }));
    legend.append(el('li', {}, el('span', { class: `swatch s${i}` }), s.label || '—'));
  });
  clear(box, root, legend);
}

// ---------- proposals ----------

async function loadProposals() {
  const box = $('proposals-body');
  if (!api.has('GET', '/v1/proposals')) { clear(box, notAvailable()); return; }
  let data;
  try {
    data = await api.get('/v1/proposals');
  } catch (e) { onError(e, box); return; }
  const list = (Array.isArray(data) ? data : data.proposals || []);
  const open = list.filter((p) => !p.status || ['pending', 'open', 'proposed'].includes(p.status));
  if (!open.length) { clear(box, el('p', { class: 'muted' }, t('proposals.none'))); return; }
  clear(box, el('ul', { class: 'proposals' }, open.map((p) => el('li', {},
    levelBadge(p.level), ' ', fmtTime(p.at || p.created_at || p.proposed_at), ' ',
    el('span', {}, p.reason || p.basis || p.rule || ''), ' ',
    el('button', { type: 'button', class: 'primary', onclick: () => decideProposal(p, 'accept') }, t('proposals.accept')),
    el('button', { type: 'button', onclick: () => decideProposal(p, 'dismiss') }, t('proposals.dismiss'))))));
}

async function decideProposal(p, what) {
  const ans = await confirmAction({
    title: t(what === 'accept' ? 'proposals.accept_title' : 'proposals.dismiss_title'),
    body: t('proposals.body', { level: levelName(p.level) }),
    danger: what === 'accept',
  });
  if (!ans) return;
  try {
    await api.post(`/v1/proposals/${p.id}/${what}`, { reason: ans.reason });
    announce(t('done'));
    loadProposals();
    pollStatus();
  } catch (e) { if (!onError(e)) announce(errorText(e), 'error'); }
}

// ---------- orders ----------

function readFilters() {
  return {
    search: $('f-search').value.trim(),
    town: $('f-town').value,
    industry: $('f-industry').value,
    grade: $('f-grade').value,
    status: $('f-status').value,
    overdue: $('f-overdue').checked,
    violation: $('f-violation').checked,
  };
}

// Server-side filters go in the query; name search, town, industry and
// grade are matched here over the server-filtered set.
async function loadOrders() {
  const box = $('orders-table');
  const f = readFilters();
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.overdue) q.set('overdue', 'true');
  if (f.violation) q.set('compliance', 'violation');
  const usccOnly = /^[0-9A-Z]{18}$/.test(f.search);
  if (usccOnly) q.set('enterprise', f.search);
  const clientSide = (f.search && !usccOnly) || f.town || f.industry || f.grade;
  if (clientSide) {
    q.set('limit', '10000');
  } else {
    q.set('limit', String(PAGE_SIZE));
    q.set('offset', String(state.orders.page * PAGE_SIZE));
  }
  let data;
  try {
    data = await api.get('/v1/orders?' + q.toString());
  } catch (e) { onError(e, box); return; }
  let rows = data.orders || [];
  updateFilterOptions(rows);
  if (clientSide) {
    const needle = f.search.toLowerCase();
    rows = rows.filter((o) => (!f.town || o.town === f.town)
      && (!f.industry || o.industry === f.industry)
      && (!f.grade || o.grade === f.grade)
      && (!needle || usccOnly || (o.enterprise_name || '').toLowerCase().includes(needle)
        || (o.enterprise || '').toLowerCase().includes(needle)));
    state.orders.total = rows.length;
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    if (state.orders.page >= pages) state.orders.page = pages - 1;
    rows = rows.slice(state.orders.page * PAGE_SIZE, (state.orders.page + 1) * PAGE_SIZE);
  } else {
    state.orders.total = data.total || 0;
  }
  state.orders.rows = rows;
  renderOrders();
}

const seen = { town: new Set(), industry: new Set(), grade: new Set() };

// Filter choices grow from the orders seen; industry and grade appear only
// when the server's orders carry them.
function updateFilterOptions(rows) {
  let grew = false;
  for (const o of rows) {
    for (const k of ['town', 'industry', 'grade']) {
      if (o[k] && !seen[k].has(o[k])) { seen[k].add(o[k]); grew = true; }
    }
  }
  if (grew || !$('f-town').options.length) fillFilterOptions();
}

function fillFilterOptions() {
  for (const k of ['town', 'industry', 'grade']) {
    const sel = $('f-' + k);
    const cur = sel.value;
    const values = [...seen[k]].sort();
    clear(sel, el('option', { value: '' }, t('orders.all')),
      values.map((v) => el('option', { value: v }, k === 'town' ? townName(v) : v)));
    sel.value = values.includes(cur) ? cur : '';
    if (k !== 'town') $(`f-${k}-field`).hidden = values.length === 0;
  }
}

function statusBadge(o) {
  return [el('span', { class: 'badge status-' + o.status }, t('status.' + o.status)),
    o.overdue ? el('span', { class: 'badge overdue' }, t('overdue')) : null,
    o.drill ? el('span', { class: 'badge drill' }, t('drill')) : null];
}

function renderOrders() {
  const box = $('orders-table');
  const { rows, total, page } = state.orders;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  $('orders-count').textContent = t('orders.count', { n: total });
  $('orders-page').textContent = t('orders.page', { p: page + 1, n: pages });
  $('orders-prev').disabled = page <= 0;
  $('orders-next').disabled = page + 1 >= pages;
  if (!rows.length) { clear(box, el('p', { class: 'muted' }, t('orders.none'))); return; }
  clear(box, el('table', { id: 'orders' },
    el('thead', {}, el('tr', {}, ['col.enterprise', 'col.town', 'col.level', 'col.version', 'col.status',
      'col.deadline', 'col.acked', 'col.compliance', 'col.actions'].map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, rows.map((o) => el('tr', { dataset: { orderId: o.id, enterprise: o.enterprise } },
      el('td', {}, el('div', { class: 'ent-name' }, o.enterprise_name), el('div', { class: 'muted mono' }, o.enterprise)),
      el('td', {}, townName(o.town)),
      el('td', {}, levelBadge(o.level)),
      el('td', {}, 'v' + o.version),
      el('td', {}, statusBadge(o)),
      el('td', {}, fmtTime(o.ack_deadline)),
      el('td', {}, fmtTime(o.acknowledged_at)),
      el('td', {}, el('span', { class: 'badge compliance-' + o.compliance }, t('compliance.' + o.compliance))),
      el('td', {}, el('button', { type: 'button', class: 'open-order', onclick: () => openOrder(o.id) }, t('orders.open'))))))));
}

// ---------- order detail ----------

async function openOrder(id) {
  const dialog = $('detail-dialog');
  state.detailId = id;
  clear(dialog, el('p', {}, t('loading')));
  if (!dialog.open) dialog.showModal();
  let o;
  try {
    o = await api.get('/v1/orders/' + id);
  } catch (e) {
    onError(e, dialog);
    dialog.append(el('button', { type: 'button', onclick: () => dialog.close() }, t('detail.close')));
    return;
  }
  const close = el('button', { type: 'button', class: 'close', onclick: () => dialog.close() }, t('detail.close'));
  const deliveries = el('div', { class: 'table-wrap', id: 'detail-deliveries' }, t('loading'));
  const evidence = el('div', { id: 'detail-evidence' }, t('loading'));
  const active = o.status === 'issued' || o.status === 'acknowledged';
  clear(dialog,
    el('div', { class: 'dialog-head' }, el('h2', { id: 'detail-title' }, o.enterprise_name, ' ', levelBadge(o.level)), close),
    el('p', { class: 'mono' }, o.enterprise, ' · ', townName(o.town), ' · ', t('ent.version', { v: o.version }), ' · ', statusBadge(o)),
    el('dl', { class: 'facts' },
      el('dt', {}, t('detail.issued')), el('dd', {}, fmtTime(o.issued_at)),
      el('dt', {}, t('detail.effective')), el('dd', {}, fmtTime(o.effective_from)),
      el('dt', {}, t('col.deadline')), el('dd', {}, fmtTime(o.ack_deadline)),
      el('dt', {}, t('col.compliance')), el('dd', {}, t('compliance.' + o.compliance)),
      o.ended_at ? [el('dt', {}, t('detail.ended')), el('dd', {}, fmtTime(o.ended_at))] : null),
    o.reissue_reason ? el('p', {}, t('detail.reissue_reason', { r: o.reissue_reason })) : null,
    el('div', { class: 'dialog-actions' },
      el('button', { type: 'button', id: 'do-reissue', disabled: !active, onclick: () => reissue(o) }, t('detail.reissue')),
      el('button', { type: 'button', id: 'do-phone-ack', disabled: o.status !== 'issued', onclick: () => phoneAck(o) }, t('detail.phone_ack')),
      el('button', { type: 'button', id: 'do-inspect', disabled: !api.has('POST', '/v1/compliance'), onclick: () => inspect(o) }, t('detail.inspect'))),
    el('h3', {}, t('detail.measures')),
    el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('detail.line')), el('th', { scope: 'col' }, t('detail.action')))),
      el('tbody', {}, (o.measures || []).map((m) => el('tr', {}, el('td', {}, m.line), el('td', {}, measureText(m))))))),
    el('h3', {}, t('detail.ack')),
    el('p', {}, o.acknowledged_at ? t('detail.ack_by', {
      at: fmtTime(o.acknowledged_at), by: o.ack && o.ack.by, channel: o.ack && o.ack.channel,
    }) : t('detail.ack_none'), o.ack && o.ack.note ? ' — ' + o.ack.note : '', o.ack && o.ack.contact ? ' (' + o.ack.contact + ')' : ''),
    el('h3', {}, t('detail.history')),
    el('div', { class: 'table-wrap' }, el('table', { id: 'detail-history' },
      el('thead', {}, el('tr', {}, ['col.version', 'col.level', 'col.status', 'detail.issued', 'col.acked', 'detail.ended']
        .map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, (o.history || []).map((h) => el('tr', { class: h.id === o.id ? 'current' : '' },
        el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => openOrder(h.id) }, 'v' + h.version)),
        el('td', {}, levelBadge(h.level)), el('td', {}, t('status.' + h.status)),
        el('td', {}, fmtTime(h.issued_at)), el('td', {}, fmtTime(h.acknowledged_at)), el('td', {}, fmtTime(h.ended_at))))))),
    el('h3', {}, t('detail.deliveries')), deliveries,
    el('h3', {}, t('detail.evidence')), evidence);
  close.focus();
  loadOrderDeliveries(o, deliveries);
  loadEvidence(o, evidence);
}

async function loadOrderDeliveries(o, box) {
  if (!api.has('GET', '/v1/deliveries')) { clear(box, notAvailable()); return; }
  try {
    const d = await api.get('/v1/deliveries?enterprise=' + encodeURIComponent(o.enterprise));
    clear(box, deliveriesTable(Array.isArray(d) ? d : d.deliveries || []));
  } catch (e) { onError(e, box); }
}

async function loadEvidence(o, box) {
  if (!api.has('GET', '/v1/orders/{}/evidence')) { clear(box, notAvailable()); return; }
  try {
    const d = await api.get(`/v1/orders/${o.id}/evidence`);
    const items = Array.isArray(d) ? d : d.evidence || d.items || [];
    if (!items.length) { clear(box, el('p', { class: 'muted' }, '—')); return; }
    clear(box, genericTable(items, ['at', 'line', 'kind', 'metric', 'value', 'result', 'verdict', 'note', 'source']));
  } catch (e) { onError(e, box); }
}

// A table of whatever records an endpoint returns: the preferred columns
// that are present, in order, then nothing else (objects shown as JSON).
function genericTable(items, preferred) {
  const cols = preferred.filter((k) => items.some((x) => x && x[k] !== undefined && x[k] !== null));
  const show = (v, k) => (v === null || v === undefined ? '—'
    : typeof v === 'object' ? JSON.stringify(v) : /(_at|^at)$/.test(k) ? fmtTime(v) : String(v));
  return el('table', {},
    el('thead', {}, el('tr', {}, cols.map((c) => el('th', { scope: 'col' }, c)))),
    el('tbody', {}, items.map((x) => el('tr', {}, cols.map((c) => el('td', {}, show(x[c], c)))))));
}

async function reissue(o) {
  const ans = await confirmAction({ title: t('reissue.title'), body: t('reissue.body', { name: o.enterprise_name }) });
  if (!ans) return;
  try {
    const n = await api.post(`/v1/orders/${o.id}/reissue`, { reason: ans.reason });
    announce(t('done'));
    loadOrders();
    openOrder(n.id);
  } catch (e) { if (!onError(e)) announce(errorText(e), 'error'); }
}

async function phoneAck(o) {
  const ans = await confirmAction({
    title: t('phone.title'), body: t('phone.body', { name: o.enterprise_name }),
    fields: [{ name: 'contact', label: t('phone.contact'), required: true }],
    reasonLabel: t('phone.note'),
  });
  if (!ans) return;
  try {
    await api.post(`/v1/orders/${o.id}/phone-ack`, { enterprise: o.enterprise, note: ans.reason, contact: ans.contact });
    announce(t('done'));
    loadOrders();
    openOrder(o.id);
  } catch (e) { if (!onError(e)) announce(errorText(e), 'error'); }
}

async function inspect(o) {
  const lines = (o.measures || []).map((m) => [m.line, m.line]);
  const ans = await confirmAction({
    title: t('inspect.title'), body: t('inspect.body', { name: o.enterprise_name }),
    fields: [
      { name: 'line', label: t('inspect.line'), type: 'select', options: lines },
      { name: 'result', label: t('inspect.result'), type: 'select', options: [['compliant', t('inspect.compliant')], ['violation', t('inspect.violation')]] },
      { name: 'at', label: t('inspect.at'), value: nowLocal8(), required: true },
    ],
    reasonLabel: t('inspect.note'),
  });
  if (!ans) return;
  try {
    await api.post('/v1/compliance', { inspections: [{ uscc: o.enterprise, line: ans.line, result: ans.result, note: ans.reason, at: ans.at }] });
    announce(t('done'));
    openOrder(o.id);
  } catch (e) { if (!onError(e)) announce(errorText(e), 'error'); }
}

// ---------- warnings ----------

async function loadWarnings() {
  const box = $('warnings-body');
  let data;
  try {
    data = await api.get('/v1/warnings?limit=50');
  } catch (e) { onError(e, box); return; }
  const list = data.warnings || [];
  if (!list.length) { clear(box, el('p', { class: 'muted' }, t('warnings.none'))); return; }
  clear(box, el('table', { id: 'warnings' },
    el('thead', {}, el('tr', {}, ['col.received', 'col.sender', 'col.identifier', 'col.type', 'col.level', 'col.headline',
      'col.result', 'col.state', 'col.actions'].map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, list.map((w) => el('tr', {},
      el('td', {}, fmtTime(w.received_at)), el('td', {}, w.sender), el('td', { class: 'mono' }, w.identifier),
      el('td', {}, w.msg_type, w.drill ? el('span', { class: 'badge drill' }, t('drill')) : null),
      el('td', {}, levelBadge(w.level)), el('td', {}, w.headline || '—'),
      el('td', {}, w.applied ? t('warnings.applied') : t('warnings.not_applied', { r: w.reason })),
      el('td', {}, w.state || '—'),
      el('td', {}, el('button', { type: 'button', onclick: () => showWarning(w.id) }, t('warnings.show'))))))));
}

async function showWarning(id) {
  const box = $('warning-original');
  try {
    const w = await api.get('/v1/warnings/' + id);
    clear(box,
      el('h3', { id: 'original-title', tabindex: '-1' }, t('warnings.original'), ' — ', w.identifier),
      el('pre', { class: 'original', tabindex: '0', 'aria-labelledby': 'original-title' }, w.original || ''),
      (w.chain || []).length ? [el('h4', {}, t('warnings.chain')),
        el('ul', {}, w.chain.map((c) => el('li', {}, `${c.identifier} · ${c.msg_type} · ${c.state}`)))] : null);
    box.querySelector('h3').focus();
  } catch (e) { onError(e, box); }
}

// ---------- deliveries (dead letters) ----------

function deliveriesTable(items) {
  if (!items.length) return el('p', { class: 'muted' }, t('deliveries.none'));
  const tbl = genericTable(items, ['id', 'order_id', 'enterprise', 'channel', 'notifier', 'kind', 'status', 'state',
    'attempts', 'last_error', 'error', 'created_at', 'updated_at', 'next_at']);
  const canRetry = api.has('POST', '/v1/deliveries/{}/retry');
  tbl.tHead.rows[0].append(el('th', { scope: 'col' }, t('col.actions')));
  [...tbl.tBodies[0].rows].forEach((tr, i) => {
    const d = items[i];
    const dead = ['dead', 'dead_letter', 'failed'].includes(d.status || d.state);
    tr.append(el('td', {}, dead && canRetry
      ? el('button', { type: 'button', class: 'retry', onclick: () => retryDelivery(d) }, t('deliveries.retry')) : null));
  });
  return tbl;
}

async function loadDeliveries() {
  const box = $('deliveries-body');
  if (!api.has('GET', '/v1/deliveries')) { clear(box, notAvailable()); return; }
  try {
    const d = await api.get('/v1/deliveries?status=dead');
    const items = (Array.isArray(d) ? d : d.deliveries || []);
    clear(box, deliveriesTable(items));
  } catch (e) { onError(e, box); }
}

async function retryDelivery(d) {
  const ans = await confirmAction({ title: t('deliveries.retry_title'), body: t('deliveries.retry_body', { id: d.id }) });
  if (!ans) return;
  try {
    await api.post(`/v1/deliveries/${d.id}/retry`, { reason: ans.reason });
    announce(t('done'));
    loadDeliveries();
  } catch (e) { if (!onError(e)) announce(errorText(e), 'error'); }
}

// ---------- wiring ----------

function rerender() {
  applyStatic(document);
  document.title = t('app.title');
  fillFilterOptions();
  if (!$('console').hidden) {
    renderStatus();
    renderEpisode();
    renderOrders();
    refreshAll();
  }
}

function init() {
  applyStatic(document);
  document.title = t('app.title');
  trapFocus($('confirm-dialog'));
  trapFocus($('detail-dialog'));
  $('lang-toggle').addEventListener('click', () => { toggleLang(); rerender(); });
  $('sign-out').addEventListener('click', signOut);
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const tok = $('token').value.trim();
    if (tok) signIn(tok);
  });
  $('escalate-form').addEventListener('submit', (ev) => { ev.preventDefault(); escalate($('escalate-level').value); });
  $('clear-manual').addEventListener('click', () => escalate('none'));
  $('orders-filter').addEventListener('submit', (ev) => { ev.preventDefault(); state.orders.page = 0; loadOrders(); });
  // choices apply at once; the search box applies on Enter or the button
  $('orders-filter').addEventListener('change', (ev) => {
    if (ev.target.id !== 'f-search') { state.orders.page = 0; loadOrders(); }
  });
  $('orders-filter').addEventListener('reset', () => { setTimeout(() => { state.orders.page = 0; loadOrders(); }, 0); });
  $('orders-prev').addEventListener('click', () => { if (state.orders.page > 0) { state.orders.page--; loadOrders(); } });
  $('orders-next').addEventListener('click', () => { state.orders.page++; loadOrders(); });
  $('detail-dialog').addEventListener('close', () => { state.detailId = null; });
  fillFilterOptions();
  if (api.token) signIn(api.token);
  else showSignIn();
}

init();
