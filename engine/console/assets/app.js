// The duty officer's console: level, episode, AQI, orders, warnings and
// dead letters, with every action behind a reason and a confirmation.
import { t, toggleLang, applyStatic, townName } from './i18n.js';
import {
  Api, el, clear, fmtTime, nowLocal8, levelName, levelBadge, measureText, errorText,
  notAvailable, announce, trapFocus, confirmAction, saveBlob,
} from './ui.js';
import { loadAqi, loadStations, saveStation } from './aqi.js';
import { deliveriesTable, loadDeliveries } from './deliveries.js';
import { showEpisodeReport, loadCityReports } from './reports.js';

const api = new Api('smogd.officer.token');
// what the panels in other modules need: the client and the error handler
const ctx = { api, onError: (e, where) => onError(e, where) };
const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 20;
const STATUS_POLL_MS = 5000;
// The episode's figures (reductions, compliance by town, industry and
// grade) read every order of the episode on the server: while only the
// order counts move (acknowledgements arriving), they are read again at
// most this often; a change of level, episode or source reads them at once.
const EPISODE_REFRESH_MS = 60000;

const state = {
  status: null,
  statusAt: null,
  episode: null,
  episodeAt: 0,
  timers: [],
  orders: { page: 0, rows: [], total: 0 },
  optionsEpisode: null,
  detailId: null,
};

// ---------- sign-in ----------

async function signIn(token) {
  api.setToken(token);
  try {
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
  state.timers.push(setInterval(() => loadAqi(ctx), 60000));
  state.timers.push(setInterval(() => { loadWarnings(); loadDeliveries(ctx); loadCityReports(ctx); }, 30000));
}

function stopPolling() {
  for (const id of state.timers) clearInterval(id);
  state.timers = [];
}

function refreshAll() {
  loadEpisode();
  loadAqi(ctx);
  loadStations(ctx);
  loadProposals();
  loadOrders();
  loadWarnings();
  loadDeliveries(ctx);
  loadCityReports(ctx);
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
  // proposals are small and urgent: looked at with every poll
  loadProposals();
  if (!before || JSON.stringify(before.stations) !== JSON.stringify(state.status.stations)) {
    loadAqi(ctx);
    loadStations(ctx);
  }
  const moved = !before || before.level !== state.status.level || before.episode_id !== state.status.episode_id
    || JSON.stringify(before.sources) !== JSON.stringify(state.status.sources);
  const changed = moved || JSON.stringify(before.orders) !== JSON.stringify(state.status.orders);
  if (changed) {
    if (moved || Date.now() - state.episodeAt >= EPISODE_REFRESH_MS) loadEpisode();
    loadOrders();
    loadWarnings();
    loadDeliveries(ctx);
    loadCityReports(ctx);
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
  state.episodeAt = Date.now();
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
  const reportBtn = el('button', { type: 'button', id: 'report-button', onclick: () => showEpisodeReport(ctx, ep.id, reportBox) }, t('episode.report'));
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
    reportBox);
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

// ---------- proposals ----------

// The evidence in words: the rule set, the hours judged, their highest AQI.
function proposalBasis(p) {
  const ev = p.evidence || {};
  const hours = Array.isArray(ev.hours) ? ev.hours : [];
  const aqis = hours.map((h) => h.aqi).filter((v) => typeof v === 'number');
  return t('proposals.basis', {
    criteria: ev.criteria || '—', n: hours.length, stations: ev.stations ?? '—',
    max: aqis.length ? Math.max(...aqis) : '—', last: aqis.length ? aqis[aqis.length - 1] : '—',
    pm: hours.filter((h) => h.pm25_primary).length,
  });
}

async function loadProposals() {
  const box = $('proposals-body');
  let data;
  try {
    data = await api.get('/v1/proposals');
  } catch (e) { onError(e, box); return; }
  const list = data.proposals || [];
  const open = list.filter((p) => p.state === 'open');
  const decided = list.filter((p) => p.state !== 'open').slice(-5).reverse();
  const key = JSON.stringify(list.map((p) => [p.id, p.state]));
  if (box.dataset.key === key) return; // unchanged: keep focus and scroll
  box.dataset.key = key;
  clear(box,
    open.length ? el('ul', { class: 'proposals', id: 'open-proposals' }, open.map((p) => el('li', { dataset: { proposal: p.id } },
      el('div', { class: 'proposal-head' }, levelBadge(p.level), ' ', t('proposals.to', { level: levelName(p.level) }),
        ' · ', el('span', { class: 'muted' }, fmtTime(p.created_at))),
      el('p', { class: 'basis' }, proposalBasis(p)),
      el('div', { class: 'dialog-actions' },
        el('button', { type: 'button', class: 'accept primary', onclick: () => decideProposal(p, 'accept') }, t('proposals.accept')),
        el('button', { type: 'button', class: 'dismiss', onclick: () => decideProposal(p, 'dismiss') }, t('proposals.dismiss'))))))
      : el('p', { class: 'muted' }, t('proposals.none')),
    decided.length ? [el('h3', {}, t('proposals.decided')), el('ul', { class: 'decided', id: 'decided-proposals' }, decided.map((p) => el('li', { dataset: { proposal: p.id, state: p.state } },
      levelBadge(p.level), ' ', el('span', { class: 'badge proposal-' + p.state }, t('proposals.state.' + p.state)), ' ',
      t('proposals.decided_by', { by: p.decided_by || '—', at: fmtTime(p.decided_at) }), ' — ', p.reason || '')))] : null);
}

async function decideProposal(p, what) {
  const ans = await confirmAction({
    title: t(what === 'accept' ? 'proposals.accept_title' : 'proposals.dismiss_title'),
    body: t(what === 'accept' ? 'proposals.accept_body' : 'proposals.dismiss_body', { level: levelName(p.level) }) + ' ' + proposalBasis(p),
    danger: what === 'accept',
    okLabel: t(what === 'accept' ? 'proposals.accept' : 'proposals.dismiss'),
  });
  if (!ans) return;
  try {
    // the reply is the status after the answer
    state.status = await api.post(`/v1/proposals/${p.id}/${what}`, { reason: ans.reason });
    state.statusAt = new Date();
    renderStatus();
    announce(t(what === 'accept' ? 'proposals.accepted' : 'proposals.dismissed'));
    loadProposals();
    loadEpisode();
    loadOrders();
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

// Every filter goes to the server (status, overdue, compliance, town,
// industry, grade, a credit code) except a search by name, which is
// matched here over the server-filtered set.
async function loadOrders() {
  const box = $('orders-table');
  const f = readFilters();
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.overdue) q.set('overdue', 'true');
  if (f.violation) q.set('compliance', 'violation');
  for (const k of ['town', 'industry', 'grade']) if (f[k]) q.set(k, f[k]);
  const usccOnly = /^[0-9A-Z]{18}$/.test(f.search);
  if (usccOnly) q.set('enterprise', f.search);
  const byName = f.search && !usccOnly;
  if (byName) {
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
  if (byName) {
    const needle = f.search.toLowerCase();
    rows = rows.filter((o) => (o.enterprise_name || '').toLowerCase().includes(needle)
      || (o.enterprise || '').toLowerCase().includes(needle));
    state.orders.total = rows.length;
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    if (state.orders.page >= pages) state.orders.page = pages - 1;
    rows = rows.slice(state.orders.page * PAGE_SIZE, (state.orders.page + 1) * PAGE_SIZE);
  } else {
    state.orders.total = data.total || 0;
  }
  state.orders.rows = rows;
  renderOrders();
  loadFilterOptions();
}

const seen = { town: new Set(), industry: new Set(), grade: new Set() };

// The choices of the town, industry and grade filters: those of the
// episode's orders, read once per episode.
async function loadFilterOptions() {
  const ep = state.status && state.status.episode_id;
  if (!ep || state.optionsEpisode === ep) return;
  state.optionsEpisode = ep;
  let data;
  try {
    data = await api.get('/v1/orders?limit=10000&episode=' + ep);
  } catch (e) { state.optionsEpisode = null; onError(e); return; }
  for (const o of data.orders || []) {
    for (const k of ['town', 'industry', 'grade']) if (o[k]) seen[k].add(o[k]);
  }
  fillFilterOptions();
}

function fillFilterOptions() {
  for (const k of ['town', 'industry', 'grade']) {
    const sel = $('f-' + k);
    const cur = sel.value;
    const values = [...seen[k]].sort();
    clear(sel, el('option', { value: '' }, t('orders.all')),
      values.map((v) => el('option', { value: v }, k === 'town' ? townName(v) : k === 'grade' ? gradeName(v) : v)));
    sel.value = values.includes(cur) ? cur : '';
  }
}

function gradeName(g) {
  const k = 'grade.' + g;
  return t(k) !== k ? t(k) : g;
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
    el('thead', {}, el('tr', {}, ['col.enterprise', 'col.town', 'col.industry', 'col.level', 'col.version', 'col.status',
      'col.deadline', 'col.acked', 'col.compliance', 'col.actions'].map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, rows.map((o) => el('tr', { dataset: { orderId: o.id, enterprise: o.enterprise } },
      el('td', {}, el('div', { class: 'ent-name' }, o.enterprise_name), el('div', { class: 'muted mono' }, o.enterprise)),
      el('td', {}, townName(o.town)),
      el('td', {}, o.industry || '—', o.grade ? el('div', { class: 'muted' }, gradeName(o.grade)) : null),
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
      el('dt', {}, t('col.industry')), el('dd', {}, o.industry || '—', o.grade ? ' · ' + gradeName(o.grade) : ''),
      el('dt', {}, t('col.compliance')), el('dd', { id: 'detail-compliance' }, complianceBadge(o.compliance)),
      o.ended_at ? [el('dt', {}, t('detail.ended')), el('dd', {}, fmtTime(o.ended_at))] : null),
    o.reissue_reason ? el('p', {}, t('detail.reissue_reason', { r: o.reissue_reason })) : null,
    el('div', { class: 'dialog-actions' },
      el('button', { type: 'button', id: 'do-reissue', disabled: !active, onclick: () => reissue(o) }, t('detail.reissue')),
      el('button', { type: 'button', id: 'do-phone-ack', disabled: o.status !== 'issued', onclick: () => phoneAck(o) }, t('detail.phone_ack')),
      el('button', { type: 'button', id: 'do-inspect', onclick: () => inspect(o) }, t('detail.inspect'))),
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
    el('h3', {}, t('detail.judgements')), judgementsTable(o),
    el('h3', {}, t('detail.deliveries')), deliveries,
    el('h3', {}, t('detail.evidence')), evidence);
  close.focus();
  loadOrderDeliveries(o, deliveries);
  loadEvidence(o, evidence);
}

function complianceBadge(c) {
  return el('span', { class: 'badge compliance-' + c }, t('compliance.' + c));
}

// The per-line judgements behind the order's compliance.
function judgementsTable(o) {
  const lines = o.compliance_detail || [];
  if (!lines.length) return el('p', { class: 'muted', id: 'detail-judgements' }, t('detail.not_judged'));
  return el('div', { class: 'table-wrap' }, el('table', { id: 'detail-judgements' },
    el('thead', {}, el('tr', {}, ['detail.line', 'col.compliance', 'detail.threshold', 'detail.judged_at', 'detail.why']
      .map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, lines.map((j) => el('tr', { dataset: { line: j.line } },
      el('td', {}, j.line), el('td', {}, complianceBadge(j.state)),
      el('td', {}, j.threshold_kw ? `${Math.round(j.threshold_kw * 10) / 10} kW` : '—'),
      el('td', {}, fmtTime(j.judged_at)),
      el('td', { class: 'wrap' }, (j.evidence && j.evidence.reason) || '—',
        j.evidence && j.evidence.inspection ? el('div', { class: 'muted' }, t('detail.inspection_at', {
          at: fmtTime(j.evidence.inspection.at), result: t('inspect.' + j.evidence.inspection.result) })) : null))))));
}

async function loadOrderDeliveries(o, box) {
  try {
    const d = await api.get('/v1/deliveries?enterprise=' + encodeURIComponent(o.enterprise));
    const mine = (d.deliveries || []).filter((x) => !x.order_id || x.order_id === o.id || (o.history || []).some((h) => h.id === x.order_id));
    clear(box, deliveriesTable(ctx, mine, () => loadOrderDeliveries(o, box)));
  } catch (e) { onError(e, box); }
}

// The evidence behind the judgements: inspections, metered hours, gate
// records; the whole of it as CSV on request.
async function loadEvidence(o, box) {
  let ev;
  try {
    ev = await api.get(`/v1/orders/${o.id}/evidence`);
  } catch (e) { onError(e, box); return; }
  const lines = ev.lines || [];
  const rows = [];
  for (const l of lines) {
    for (const i of l.inspections || []) {
      rows.push(el('tr', { class: 'inspection' }, el('td', {}, fmtTime(i.at)), el('td', {}, l.line), el('td', {}, t('evidence.inspection')),
        el('td', {}, complianceBadge(i.result)), el('td', { class: 'wrap' }, i.note || '—', ' · ', t('evidence.by', { who: i.inspector }))));
    }
    const counted = (l.hours || []).filter((h) => h.counted);
    if (counted.length) {
      const over = l.threshold_kw ? counted.filter((h) => h.mean > l.threshold_kw).length : 0;
      rows.push(el('tr', {}, el('td', {}, fmtTime(counted[counted.length - 1].hour_end)), el('td', {}, l.line), el('td', {}, t('evidence.meter')),
        el('td', {}, complianceBadge(l.state)), el('td', {}, t('evidence.hours', { n: counted.length, over }))));
    }
  }
  const gates = (ev.trucks && ev.trucks.gate_records) || [];
  for (const g of gates) {
    rows.push(el('tr', {}, el('td', {}, fmtTime(g.at)), el('td', {}, t('evidence.trucks')), el('td', {}, t('evidence.gate')),
      el('td', {}, g.banned && g.after_grace ? complianceBadge('violation') : '—'), el('td', {}, `${g.plate} · ${g.stage}`)));
  }
  const csv = el('button', { type: 'button', class: 'evidence-csv', onclick: async () => {
    try { saveBlob(await api.blob(`/v1/orders/${o.id}/evidence?format=csv`), `order-${o.id}-evidence.csv`); } catch (e) { if (!onError(e)) announce(errorText(e), 'error'); }
  } }, t('evidence.csv'));
  clear(box,
    el('p', { class: 'muted' }, t('evidence.judged_from', { t: fmtTime(ev.judged_from) }), ' ', csv),
    rows.length ? el('div', { class: 'table-wrap' }, el('table', { id: 'evidence' },
      el('thead', {}, el('tr', {}, ['evidence.at', 'detail.line', 'evidence.record', 'col.compliance', 'evidence.detail']
        .map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, rows))) : el('p', { class: 'muted' }, t('evidence.none')));
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
    const r = await api.post('/v1/compliance', { inspections: [{ uscc: o.enterprise, line: ans.line, result: ans.result, note: ans.reason, at: ans.at }] });
    if (r.rejected && r.rejected.length) announce(t('inspect.rejected', { m: r.rejected[0].message }), 'error');
    else announce(t('inspect.recorded'));
    loadOrders();
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

// ---------- wiring ----------

function rerender() {
  applyStatic(document);
  document.title = t('app.title');
  fillFilterOptions();
  if (!$('console').hidden) {
    delete $('proposals-body').dataset.key;
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
  $('station-form').addEventListener('submit', (ev) => { ev.preventDefault(); saveStation(ctx, ev.target); });
  $('deliveries-filter').addEventListener('submit', (ev) => { ev.preventDefault(); loadDeliveries(ctx); });
  $('deliveries-filter').addEventListener('change', (ev) => { if (ev.target.name !== 'enterprise') loadDeliveries(ctx); });
  $('aqi-refresh').addEventListener('click', () => { loadAqi(ctx); loadStations(ctx); });
  $('cityreports-refresh').addEventListener('click', () => loadCityReports(ctx));
  fillFilterOptions();
  if (api.token) signIn(api.token);
  else showSignIn();
}

init();
