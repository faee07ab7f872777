// The AQI panel: the county's and each station's latest hourly and 24-hour
// AQI (GET /v1/aqi), the last three days as a chart (GET /v1/aqi/history,
// once for the county and once per official station), and the stations
// themselves (GET /v1/stations, PUT /v1/stations/{id}).
import { t, getLang } from './i18n.js';
import { el, clear, fmtTime, announce, errorText } from './ui.js';

const HISTORY_HOURS = 72;
const CHART_STATIONS = 5;
const POLLUTANTS = { pm25: 'PM2.5', pm10: 'PM10', so2: 'SO₂', no2: 'NO₂', co: 'CO', o3: 'O₃', o3_8h: 'O₃-8h' };

const $ = (id) => document.getElementById(id);

function aqiClass(v) {
  if (typeof v !== 'number') return 'aqi-none';
  if (v <= 50) return 'aqi-1';
  if (v <= 100) return 'aqi-2';
  if (v <= 150) return 'aqi-3';
  if (v <= 200) return 'aqi-4';
  if (v <= 300) return 'aqi-5';
  return 'aqi-6';
}

// "210 重度污染" (or "heavy" in English) in the category's colour.
function aqiCell(x) {
  const v = x && typeof x.aqi === 'number' ? x.aqi : null;
  const cat = v === null ? '' : getLang() === 'zh-CN' ? x.category_zh : t('aqi.cat.' + x.category);
  return el('span', { class: 'aqi ' + aqiClass(v), title: cat || null }, v === null ? '—' : String(v),
    cat ? el('span', { class: 'cat' }, cat) : null);
}

function primaryText(x) {
  if (!x || !Array.isArray(x.primary) || !x.primary.length) return '—';
  return x.primary.map((p) => POLLUTANTS[p] || p).join(', ');
}

// RFC 3339 in +08:00 for a time in ms.
function at8(ms) {
  return new Date(ms + 8 * 3600000).toISOString().slice(0, 19) + '+08:00';
}

export async function loadAqi(ctx) {
  const body = $('aqi-body');
  const chart = $('aqi-chart');
  let data;
  try {
    data = await ctx.api.get('/v1/aqi');
  } catch (e) {
    ctx.onError(e, body);
    clear(chart);
    return;
  }
  const county = data.county || {};
  const stations = data.stations || [];
  const tile = (label, x) => el('div', { class: 'aqi-tile' },
    el('span', { class: 'label' }, label), aqiCell(x),
    el('span', { class: 'muted' }, t('aqi.primary') + '：' + primaryText(x)),
    el('span', { class: 'muted' }, fmtTime(x && x.at)));
  clear(body,
    el('div', { class: 'aqi-county' },
      tile(t('aqi.county') + ' · ' + t('aqi.hourly'), county.hourly),
      tile(t('aqi.county') + ' · ' + t('aqi.daily'), county.daily),
      el('p', { class: 'muted county-note' }, t('aqi.county_note', { n: county.stations || 0 }))),
    stations.length === 0 ? el('p', { class: 'muted' }, t('aqi.no_stations')) :
      el('div', { class: 'table-wrap' }, el('table', { id: 'stations' },
        el('thead', {}, el('tr', {}, ['aqi.station', 'aqi.kind', 'aqi.hourly', 'aqi.daily', 'aqi.primary', 'aqi.at', 'aqi.state']
          .map((k) => el('th', { scope: 'col' }, t(k))))),
        el('tbody', {}, stations.map((st) => el('tr', { class: st.stale ? 'stale' : '', dataset: { station: st.station } },
          el('td', {}, st.name, el('div', { class: 'muted mono' }, st.station)),
          el('td', {}, t('aqi.kind.' + st.kind)),
          el('td', {}, aqiCell(st.hourly)),
          el('td', {}, aqiCell(st.daily)),
          el('td', {}, primaryText(st.hourly)),
          el('td', {}, fmtTime(st.hourly && st.hourly.at)),
          el('td', {}, st.stale ? el('span', { class: 'badge stale' }, t('aqi.stale')) : t('aqi.ok'))))))));
  await loadHistory(ctx, chart, stations);
}

async function loadHistory(ctx, chart, stations) {
  const to = Date.now();
  const range = `from=${encodeURIComponent(at8(to - HISTORY_HOURS * 3600000))}&to=${encodeURIComponent(at8(to))}`;
  const official = stations.filter((s) => s.kind === 'official' && s.hourly).slice(0, CHART_STATIONS);
  try {
    const replies = await Promise.all([
      ctx.api.get('/v1/aqi/history?' + range),
      ...official.map((s) => ctx.api.get(`/v1/aqi/history?station=${encodeURIComponent(s.station)}&${range}`)),
    ]);
    const series = replies.map((r, i) => ({
      label: i === 0 ? t('aqi.county') : official[i - 1].name,
      county: i === 0,
      points: (r.hours || []).filter((h) => typeof h.aqi === 'number').map((h) => ({ x: Date.parse(h.at), y: h.aqi })),
    })).filter((s) => s.points.length);
    drawChart(chart, series);
  } catch (e) {
    ctx.onError(e, chart);
  }
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...kids) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
  for (const k of kids) n.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return n;
}

// A line chart with the AQI category bands behind it; the county's line
// is the thick one.
function drawChart(box, series) {
  if (!series.length) { clear(box, el('p', { class: 'muted' }, t('aqi.no_data'))); return; }
  const W = 720, H = 240, L = 40, R = 10, T = 10, B = 28;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const x1 = Math.max(...xs), x0 = Math.min(Math.min(...xs), x1 - 24 * 3600000);
  // headroom above the highest value, so that a line never runs along the top
  const yMax = Math.max(100, Math.ceil((Math.max(...ys) + 1) / 50) * 50);
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
    root.append(svg('path', { d, class: `series s${i}${s.county ? ' county' : ''}` }));
    legend.append(el('li', {}, el('span', { class: `swatch s${i}${s.county ? ' county' : ''}` }), s.label));
  });
  clear(box, root, legend);
}

// ---------- stations ----------

export async function loadStations(ctx) {
  const box = $('stations-body');
  let data;
  try {
    data = await ctx.api.get('/v1/stations');
  } catch (e) { ctx.onError(e, box); return; }
  const list = data.stations || [];
  if (!list.length) { clear(box, el('p', { class: 'muted' }, t('aqi.no_stations'))); return; }
  clear(box, el('table', { id: 'station-list' },
    el('thead', {}, el('tr', {}, ['stations.id', 'stations.name', 'aqi.kind', 'stations.position', 'stations.last',
      'stations.readings', 'aqi.state', 'col.actions'].map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, list.map((s) => el('tr', { dataset: { station: s.id } },
      el('td', { class: 'mono' }, s.id), el('td', {}, s.name), el('td', {}, t('aqi.kind.' + s.kind)),
      el('td', { class: 'mono' }, `${s.lat.toFixed(4)}, ${s.lon.toFixed(4)}`),
      el('td', {}, fmtTime(s.last_reading_at)), el('td', {}, String(s.readings)),
      el('td', {}, s.stale ? el('span', { class: 'badge stale' }, t('aqi.stale')) : t('aqi.ok')),
      el('td', {}, el('button', { type: 'button', class: 'edit-station', onclick: () => editStation(s) }, t('stations.edit'))))))));
}

function editStation(s) {
  const f = $('station-form');
  f.elements.id.value = s.id;
  f.elements.name.value = s.name;
  f.elements.kind.value = s.kind;
  f.elements.lat.value = s.lat;
  f.elements.lon.value = s.lon;
  f.elements.name.focus();
}

// PUT /v1/stations/{id} from the form; the server's message on refusal.
export async function saveStation(ctx, form) {
  const err = form.querySelector('.form-error');
  const v = (k) => form.elements[k].value.trim();
  const lat = Number(v('lat')), lon = Number(v('lon'));
  if (!v('id') || !v('name') || !v('lat') || !v('lon') || !Number.isFinite(lat) || !Number.isFinite(lon)) {
    err.textContent = t('stations.incomplete');
    return;
  }
  try {
    await ctx.api.put('/v1/stations/' + encodeURIComponent(v('id')), { name: v('name'), kind: v('kind'), lat, lon });
  } catch (e) {
    if (!ctx.onError(e)) err.textContent = errorText(e);
    return;
  }
  err.textContent = '';
  announce(t('stations.saved', { id: v('id') }));
  form.reset();
  loadStations(ctx);
  loadAqi(ctx);
}
