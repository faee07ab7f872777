// Reports: the episode report (GET /v1/episodes/{id}/report) and the
// reports to the city (报送): GET /v1/reports, GET /v1/reports/{id}?format=
// html|json|csv|xlsx, POST /v1/reports/{id}/remarks, POST /v1/reports/{id}/send.
// HTML is fetched with the token and shown in a sandboxed frame.
import { t } from './i18n.js';
import { el, clear, fmtTime, announce, errorText, confirmAction, showHtml, saveBlob } from './ui.js';

const $ = (id) => document.getElementById(id);

export async function showEpisodeReport(ctx, id, box) {
  clear(box, el('p', { class: 'muted' }, t('loading')));
  try {
    const blob = await ctx.api.blob(`/v1/episodes/${id}/report`);
    await showHtml(box, blob, { title: t('episode.report') + ' #' + id, filename: `episode-${id}-report.html` });
  } catch (e) {
    if (!ctx.onError(e)) clear(box, el('p', { class: 'form-error' }, errorText(e)));
  }
}

function kindName(r) {
  return t('cityreport.kind.' + r.kind) + (r.number ? t('cityreport.number', { n: r.number }) : '');
}

export async function loadCityReports(ctx) {
  const box = $('cityreports-body');
  let data;
  try {
    data = await ctx.api.get('/v1/reports?limit=50');
  } catch (e) { ctx.onError(e, box); return; }
  const list = data.reports || [];
  if (!list.length) { clear(box, el('p', { class: 'muted' }, t('cityreport.none'))); return; }
  clear(box, el('div', { class: 'table-wrap' }, el('table', { id: 'cityreports' },
    el('thead', {}, el('tr', {}, ['cityreport.report', 'cityreport.episode', 'cityreport.cutoff', 'cityreport.generated',
      'col.status', 'cityreport.sent', 'col.actions'].map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, list.map((r) => el('tr', { dataset: { report: r.id, state: r.state } },
      el('td', {}, kindName(r), r.drill ? el('span', { class: 'badge drill' }, t('drill')) : null),
      el('td', {}, '#' + r.episode_id),
      el('td', {}, fmtTime(r.cutoff)),
      el('td', {}, fmtTime(r.generated_at)),
      el('td', {}, el('span', { class: 'badge report-' + r.state }, t('cityreport.state.' + r.state))),
      el('td', {}, r.sent_at ? fmtTime(r.sent_at) + (r.sends > 1 ? ' ' + t('cityreport.sends', { n: r.sends }) : '') : '—'),
      el('td', { class: 'actions' },
        el('button', { type: 'button', class: 'view-report', onclick: () => viewReport(ctx, r) }, t('cityreport.view')),
        el('button', { type: 'button', class: 'remarks-report', disabled: r.state !== 'draft', onclick: () => writeRemarks(ctx, r) }, t('cityreport.remarks')),
        el('button', { type: 'button', class: 'send-report primary', onclick: () => sendReport(ctx, r) },
          r.state === 'draft' ? t('cityreport.send') : t('cityreport.resend')),
        el('select', { class: 'download-format', 'aria-label': t('cityreport.download_as'),
          onchange: (ev) => { const f = ev.target.value; ev.target.value = ''; if (f) download(ctx, r, f); } },
        el('option', { value: '' }, t('cityreport.download')),
        ['xlsx', 'csv', 'json', 'html'].map((f) => el('option', { value: f }, f.toUpperCase()))))))))));
}

async function viewReport(ctx, r) {
  const box = $('cityreport-view');
  clear(box, el('p', { class: 'muted' }, t('loading')));
  try {
    const blob = await ctx.api.blob(`/v1/reports/${r.id}?format=html`);
    await showHtml(box, blob, { title: kindName(r), filename: `city-report-${r.id}.html` });
    box.scrollIntoView({ block: 'nearest' });
  } catch (e) {
    if (!ctx.onError(e)) clear(box, el('p', { class: 'form-error' }, errorText(e)));
  }
}

async function download(ctx, r, format) {
  try {
    saveBlob(await ctx.api.blob(`/v1/reports/${r.id}?format=${format}`), `city-report-${r.id}.${format}`);
  } catch (e) { if (!ctx.onError(e)) announce(errorText(e), 'error'); }
}

// Remarks (and, in the episode summary, lessons) written into a draft.
async function writeRemarks(ctx, r) {
  let current = {};
  try {
    current = (await ctx.api.get(`/v1/reports/${r.id}`)).report || {};
  } catch (e) { if (!ctx.onError(e)) announce(errorText(e), 'error'); return; }
  const summary = r.kind === 'summary';
  const ans = await confirmAction({
    title: t('cityreport.remarks_title', { report: kindName(r) }),
    body: t('cityreport.remarks_body'),
    fields: summary ? [{ name: 'lessons', label: t('cityreport.lessons'), type: 'textarea', value: current.lessons || '' }] : [],
    reasonLabel: t('cityreport.remarks_label'),
    reasonValue: current.remarks || '',
    okLabel: t('cityreport.save'),
  });
  if (!ans) return;
  const body = { remarks: ans.reason };
  if (summary) body.lessons = ans.lessons;
  try {
    await ctx.api.post(`/v1/reports/${r.id}/remarks`, body);
    announce(t('cityreport.saved'));
    loadCityReports(ctx);
  } catch (e) { if (!ctx.onError(e)) announce(errorText(e), 'error'); }
}

async function sendReport(ctx, r) {
  const ans = await confirmAction({
    title: t('cityreport.send_title', { report: kindName(r) }),
    body: r.state === 'draft' ? t('cityreport.send_body') : t('cityreport.resend_body', { n: r.sends }),
    noReason: true,
    okLabel: t('cityreport.send'),
    danger: true,
  });
  if (!ans) return;
  try {
    const m = await ctx.api.post(`/v1/reports/${r.id}/send`);
    announce(t('cityreport.sent_ok', { event: m.event_id }));
    loadCityReports(ctx);
  } catch (e) { if (!ctx.onError(e)) announce(errorText(e), 'error'); }
}
