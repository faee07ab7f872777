// Notices and their deliveries: GET /v1/deliveries?status=&enterprise=&channel=
// (dead letters by default), one delivery's attempts (GET /v1/deliveries/{id})
// and the retry of a dead letter (POST /v1/deliveries/{id}/retry).
import { t } from './i18n.js';
import { el, clear, fmtTime, announce, errorText, confirmAction } from './ui.js';

const $ = (id) => document.getElementById(id);

function statusBadge(d) {
  return [el('span', { class: 'badge delivery-' + d.status }, t('delivery.' + d.status)),
    d.drill ? el('span', { class: 'badge drill' }, t('drill')) : null];
}

// A table of deliveries; onChange runs after a retry.
export function deliveriesTable(ctx, items, onChange) {
  if (!items.length) return el('p', { class: 'muted' }, t('deliveries.none'));
  return el('table', { class: 'deliveries' },
    el('thead', {}, el('tr', {}, ['col.id', 'col.kind', 'col.enterprise', 'col.channel', 'col.recipient', 'col.status',
      'col.attempts', 'col.last_error', 'col.created', 'col.actions'].map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, items.map((d) => el('tr', { dataset: { delivery: d.id, status: d.status } },
      el('td', { class: 'mono' }, String(d.id)),
      el('td', {}, t('notice.' + d.kind) !== 'notice.' + d.kind ? t('notice.' + d.kind) : d.kind,
        d.order_id ? el('div', { class: 'muted' }, t('deliveries.order', { id: d.order_id })) : null),
      el('td', { class: 'mono' }, d.enterprise || '—'),
      el('td', {}, d.channel),
      el('td', { class: 'mono wrap' }, d.recipient),
      el('td', {}, statusBadge(d), d.next_attempt_at ? el('div', { class: 'muted' }, t('deliveries.next', { t: fmtTime(d.next_attempt_at) })) : null),
      el('td', {}, String(d.attempts)),
      el('td', { class: 'wrap' }, d.last_error || (d.last_status ? `HTTP ${d.last_status}` : '—')),
      el('td', {}, fmtTime(d.created_at)),
      el('td', { class: 'actions' },
        el('button', { type: 'button', class: 'attempts', onclick: () => showAttempts(ctx, d.id) }, t('deliveries.attempts')),
        d.status === 'dead'
          ? el('button', { type: 'button', class: 'retry', onclick: () => retryDelivery(ctx, d, onChange) }, t('deliveries.retry'))
          : null)))));
}

export async function loadDeliveries(ctx) {
  const box = $('deliveries-body');
  const f = $('deliveries-filter');
  const q = new URLSearchParams({ limit: '100' });
  for (const k of ['status', 'channel', 'enterprise']) {
    const v = f.elements[k].value.trim();
    if (v) q.set(k, v);
  }
  try {
    const d = await ctx.api.get('/v1/deliveries?' + q.toString());
    const items = d.deliveries || [];
    $('deliveries-count').textContent = t('deliveries.count', { n: d.total || 0, shown: items.length });
    clear(box, deliveriesTable(ctx, items, () => loadDeliveries(ctx)));
    // the attempts shown belong to a delivery still listed, or go
    const shown = $('delivery-attempts');
    if (shown.dataset.id && !items.some((x) => String(x.id) === shown.dataset.id)) {
      clear(shown);
      delete shown.dataset.id;
    }
  } catch (e) { ctx.onError(e, box); }
}

async function showAttempts(ctx, id) {
  const box = $('delivery-attempts');
  try {
    const d = await ctx.api.get('/v1/deliveries/' + id);
    const log = d.attempt_log || [];
    box.dataset.id = String(d.id);
    clear(box,
      el('h3', { id: 'attempts-title', tabindex: '-1' }, t('deliveries.attempts_of', { id: d.id, event: d.event_id })),
      log.length ? el('div', { class: 'table-wrap' }, el('table', { id: 'attempt-log' },
        el('thead', {}, el('tr', {}, ['col.started', 'col.result', 'col.code', 'col.duration', 'col.detail']
          .map((k) => el('th', { scope: 'col' }, t(k))))),
        el('tbody', {}, log.map((a) => el('tr', {},
          el('td', {}, fmtTime(a.started_at)), el('td', {}, t('attempt.' + a.result)),
          el('td', {}, a.code ? String(a.code) : '—'), el('td', {}, `${a.duration_ms} ms`),
          el('td', { class: 'wrap' }, a.detail || '—'))))))
        : el('p', { class: 'muted' }, t('deliveries.no_attempts')));
    box.querySelector('h3').focus();
  } catch (e) { ctx.onError(e, box); }
}

async function retryDelivery(ctx, d, onChange) {
  const ans = await confirmAction({
    title: t('deliveries.retry_title'),
    body: t('deliveries.retry_body', { id: d.id, to: d.recipient, error: d.last_error || '—' }),
    noReason: true,
    okLabel: t('deliveries.retry'),
  });
  if (!ans) return;
  try {
    const n = await ctx.api.post(`/v1/deliveries/${d.id}/retry`);
    announce(t('deliveries.retried', { id: n.id, status: t('delivery.' + n.status) }));
    if (onChange) onChange();
  } catch (e) { if (!ctx.onError(e)) announce(errorText(e), 'error'); }
}
