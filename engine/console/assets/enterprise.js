// The enterprise's view: its current order in plain words and one button
// to acknowledge it.
import { t, toggleLang, applyStatic } from './i18n.js';
import { Api, el, clear, fmtTime, levelName, measureText, errorText, announce, idempotencyKey } from './ui.js';

const api = new Api('smogd.enterprise.token');
const $ = (id) => document.getElementById(id);
let current = null;
let timer = null;
let ackKey = null;

async function signIn(token) {
  api.setToken(token);
  try {
    await loadOrder();
  } catch (e) {
    api.setToken('');
    $('signin-error').textContent = e.status === 401 ? t('signin.bad_token')
      : e.status === 403 ? t('signin.wrong_role') : errorText(e);
    showSignIn();
    return;
  }
  $('signin-error').textContent = '';
  $('signin').hidden = true;
  $('order').hidden = false;
  $('sign-out').hidden = false;
  clearInterval(timer);
  timer = setInterval(() => loadOrder().catch(onError), 30000);
}

function showSignIn() {
  clearInterval(timer);
  $('signin').hidden = false;
  $('order').hidden = true;
  $('sign-out').hidden = true;
  $('token').value = '';
  $('token').focus();
}

function onError(e) {
  if (e.status === 401 || e.status === 403) {
    $('signin-error').textContent = e.status === 401 ? t('signin.bad_token') : t('signin.wrong_role');
    api.setToken('');
    showSignIn();
    return;
  }
  announce(errorText(e), 'error');
}

// The current order: the newest issued or acknowledged one (the server
// shows an enterprise token only its own orders).
async function loadOrder() {
  const data = await api.get('/v1/orders?limit=10000');
  const live = (data.orders || []).filter((o) => o.status === 'issued' || o.status === 'acknowledged');
  live.sort((a, b) => (a.drill - b.drill) || (b.id - a.id));
  const pick = live[0] || null;
  if (pick && (!current || current.id !== pick.id)) ackKey = idempotencyKey();
  current = pick;
  render();
}

function render() {
  const box = $('order');
  const o = current;
  if (!o) {
    clear(box, el('p', { class: 'big-note', id: 'no-order' }, t('ent.no_order')));
    return;
  }
  const level = ['yellow', 'orange', 'red'].includes(o.level) ? o.level : 'none';
  const acked = o.status === 'acknowledged' && o.acknowledged_at;
  clear(box,
    el('div', { class: 'level-big level-' + level, id: 'ent-level', dataset: { level } }, levelName(level)),
    o.drill ? el('p', { class: 'drill-note' }, t('ent.drill_note')) : null,
    el('p', { class: 'intro' }, t('ent.level_intro', { name: o.enterprise_name, level: levelName(level) })),
    el('ol', { class: 'measures', id: 'ent-measures' }, (o.measures || []).map((m) =>
      el('li', {}, t('ent.measure', { line: m.line, action: measureText(m) })))),
    el('p', {}, t('ent.effective', { t: fmtTime(o.effective_from) }), ' · ', t('ent.version', { v: o.version })),
    acked
      ? el('p', { class: 'acked', id: 'ent-acked', role: 'status' }, t('ent.acked', { t: fmtTime(o.acknowledged_at) }))
      : [el('p', { class: 'deadline' }, t('ent.deadline', { t: fmtTime(o.ack_deadline) })),
        el('button', { type: 'button', class: 'ack-button primary', id: 'ack-button', onclick: acknowledge }, t('ent.ack_button'))]);
}

async function acknowledge() {
  const o = current;
  const btn = $('ack-button');
  if (!o || !btn) return;
  btn.disabled = true;
  try {
    await api.post(`/v1/orders/${o.id}/ack`, {}, { 'Idempotency-Key': ackKey });
    await loadOrder();
    const done = $('ent-acked');
    if (done) { done.tabIndex = -1; done.focus(); }
  } catch (e) {
    if (e.status === 409) {
      announce(t('ent.superseded'), 'warn');
      await loadOrder().catch(onError);
      return;
    }
    btn.disabled = false;
    onError(e);
  }
}

function init() {
  applyStatic(document);
  document.title = t('app.ent_title');
  $('lang-toggle').addEventListener('click', () => {
    toggleLang();
    applyStatic(document);
    document.title = t('app.ent_title');
    if (!$('order').hidden) render();
  });
  $('sign-out').addEventListener('click', () => { api.setToken(''); current = null; showSignIn(); });
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const tok = $('token').value.trim();
    if (tok) signIn(tok);
  });
  if (api.token) signIn(api.token);
  else showSignIn();
}

init();
