// Shared by both pages: the API client, DOM building, dialogs and formats.
import { t, getLang } from './i18n.js';

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

// A JSON API client holding one bearer token (kept in sessionStorage only).
export class Api {
  constructor(storageKey) {
    this.key = storageKey;
    try { this.token = sessionStorage.getItem(storageKey) || ''; } catch (e) { this.token = ''; }
  }

  setToken(tok) {
    this.token = tok;
    try {
      if (tok) sessionStorage.setItem(this.key, tok);
      else sessionStorage.removeItem(this.key);
    } catch (e) { /* kept in memory only */ }
  }

  async request(method, path, body, extraHeaders) {
    const headers = { Accept: 'application/json', Authorization: 'Bearer ' + this.token };
    const init = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    Object.assign(headers, extraHeaders || {});
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'network', t('error.network'));
    }
    const type = res.headers.get('Content-Type') || '';
    let data = null;
    if (type.includes('json')) {
      try { data = await res.json(); } catch (e) { data = null; }
    } else {
      data = await res.text();
    }
    if (!res.ok) {
      const err = data && data.error ? data.error : {};
      throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText, data);
    }
    return data;
  }

  get(path) { return this.request('GET', path); }
  put(path, body) { return this.request('PUT', path, body); }

  // A file the API makes (HTML, CSV, XLSX) as a Blob: fetched with the
  // bearer token, which a plain link could not carry.
  async blob(path) {
    let res;
    try {
      res = await fetch(path, { headers: { Authorization: 'Bearer ' + this.token }, cache: 'no-store', credentials: 'omit' });
    } catch (e) {
      throw new ApiError(0, 'network', t('error.network'));
    }
    if (!res.ok) {
      let err = {};
      try { err = (await res.json()).error || {}; } catch (e) { err = {}; }
      throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText);
    }
    return res.blob();
  }
  post(path, body, headers) { return this.request('POST', path, body, headers); }
}

// el('div', {class: 'x', onclick: fn}, child, 'text', ...): children may be
// nodes, strings, numbers, arrays, null or false.
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  appendAll(node, children);
  return node;
}

function appendAll(node, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) appendAll(node, c);
    else node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(node, ...children) {
  node.replaceChildren();
  appendAll(node, children);
  return node;
}

// "2025-12-01T08:00:00+08:00" -> "2025-12-01 08:00": times from the API are
// already in the county's zone, so they are shown as they are.
export function fmtTime(s) {
  if (!s || typeof s !== 'string') return '—';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(s);
  return m ? m[1] + ' ' + m[2] : s;
}

// Now as RFC 3339 in +08:00 (the county's zone), for forms.
export function nowLocal8() {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 19) + '+08:00';
}

export function levelName(level) { return t('level.' + (level || 'none')); }

export function levelBadge(level) {
  const l = ['yellow', 'orange', 'red'].includes(level) ? level : 'none';
  return el('span', { class: 'badge level-' + l }, t('level.short.' + l));
}

// A measure in plain words: the list's own Chinese text in zh-CN, the
// action in words (plus any free text after ';') in English.
export function measureText(m) {
  let base;
  if (m.action === 'halt') base = t('action.halt');
  else if (m.action === 'limit') base = t('action.limit', { pct: m.limit_pct });
  else if (m.action === 'voluntary') base = t('action.voluntary');
  else base = m.action || '';
  const text = typeof m.text === 'string' ? m.text : '';
  if (getLang() === 'zh-CN') return text || base;
  const extra = text.split(/[;；]/).slice(1).join('; ').trim();
  return extra ? base + '; ' + extra : base;
}

export function errorText(e) {
  if (e && e.status === 404) return t('unavailable');
  return t('error.generic', { m: e && e.message ? e.message : String(e) });
}

export function notAvailable() {
  return el('p', { class: 'unavailable', role: 'note' }, t('unavailable'));
}

// A short-lived message in the page's live region.
export function announce(msg, kind) {
  const box = document.getElementById('toast');
  if (!box) return;
  const item = el('div', { class: 'toast ' + (kind || 'ok') }, msg);
  box.append(item);
  setTimeout(() => item.remove(), 6000);
}

// Keeps Tab inside an open dialog (the modal dialog makes the rest inert;
// this wraps around instead of leaving for the browser's own controls).
export function trapFocus(dialog) {
  dialog.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Tab') return;
    const items = [...dialog.querySelectorAll('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')]
      .filter((x) => !x.disabled && x.offsetParent !== null);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); }
    else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
  });
}

// Asks for confirmation with a mandatory reason and optional extra fields.
// fields: [{name, label, type: 'text'|'select'|'textarea', options: [[value, label]], value, required}].
// noReason: the action takes no reason (the server records none), so none is asked.
// Resolves to {reason, ...fields} or null when cancelled (button or Escape).
export function confirmAction({ title, body, fields, reasonLabel, reasonValue, noReason, okLabel, danger }) {
  const dialog = document.getElementById('confirm-dialog');
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const inputs = {};
    const rows = (fields || []).map((f, i) => {
      const id = 'cf-' + f.name + '-' + i;
      let input;
      if (f.type === 'select') {
        input = el('select', { id, name: f.name }, f.options.map(([v, l]) => el('option', { value: v }, l)));
        if (f.value !== undefined) input.value = f.value;
      } else if (f.type === 'textarea') {
        input = el('textarea', { id, name: f.name, rows: 3 });
        input.value = f.value || '';
      } else {
        input = el('input', { id, name: f.name, type: 'text', value: f.value || '', autocomplete: 'off' });
      }
      if (f.required) input.required = true;
      inputs[f.name] = input;
      return el('div', { class: 'field' }, el('label', { for: id }, f.label), input);
    });
    const reason = el('textarea', { id: 'cf-reason', name: 'reason', rows: 3, required: !noReason });
    reason.value = reasonValue || '';
    const err = el('p', { class: 'form-error', role: 'alert' });
    const ok = el('button', { type: 'submit', class: danger ? 'danger' : 'primary', id: 'cf-ok' }, okLabel || t('confirm.ok'));
    const cancel = el('button', { type: 'button', id: 'cf-cancel' }, t('confirm.cancel'));
    const form = el('form', { method: 'dialog', class: 'confirm-form', novalidate: true },
      el('h2', { id: 'confirm-title' }, title),
      body ? el('p', {}, body) : null,
      rows,
      noReason ? null : el('div', { class: 'field' }, el('label', { for: 'cf-reason' }, reasonLabel || t('confirm.reason')), reason),
      err,
      el('div', { class: 'dialog-buttons' }, cancel, ok));
    clear(dialog, form);
    dialog.setAttribute('aria-labelledby', 'confirm-title');
    let result = null;
    const finish = () => {
      dialog.removeEventListener('close', finish);
      if (opener && opener.focus) opener.focus();
      resolve(result);
    };
    dialog.addEventListener('close', finish);
    cancel.addEventListener('click', () => dialog.close());
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!noReason && !reason.value.trim()) {
        err.textContent = t('confirm.reason_required');
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      for (const [name, input] of Object.entries(inputs)) {
        if (input.required && !input.value.trim()) { err.textContent = t('confirm.reason_required'); input.focus(); return; }
      }
      result = { reason: reason.value.trim() };
      for (const [name, input] of Object.entries(inputs)) result[name] = input.value.trim();
      dialog.close();
    });
    dialog.showModal();
    (rows.length ? Object.values(inputs)[0] : noReason ? ok : reason).focus();
  });
}

// A random key so that a repeated click never acknowledges twice.
export function idempotencyKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

// Saves a Blob under a file name (the link is clicked, then let go).
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// Shows an HTML document the API made (a report) inside box: in a frame
// loaded from a blob: URL, sandboxed so that no script runs. The page's
// policy forbids inline styles and a blob document inherits it, so the
// document's <style> blocks are taken out of the text and given to the
// frame as a constructed style sheet (which the policy does not govern).
export async function showHtml(box, blob, { title, filename }) {
  const css = [];
  const text = (await blob.text()).replace(/<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi, (m, c) => { css.push(c); return ''; });
  const page = new Blob([text], { type: 'text/html' });
  const old = box.querySelector('iframe');
  if (old && old.dataset.url) URL.revokeObjectURL(old.dataset.url);
  const url = URL.createObjectURL(page);
  const frame = el('iframe', { class: 'report-frame', sandbox: 'allow-same-origin allow-modals', title, src: url });
  frame.dataset.url = url;
  frame.addEventListener('load', () => {
    const d = frame.contentDocument;
    if (!d || !frame.contentWindow) return;
    const sheet = new frame.contentWindow.CSSStyleSheet();
    sheet.replaceSync(css.join('\n'));
    d.adoptedStyleSheets = [sheet];
    frame.dataset.ready = '1';
  });
  clear(box,
    el('div', { class: 'report-tools' },
      el('button', { type: 'button', class: 'save-html', onclick: () => saveBlob(blob, filename) }, t('report.save')),
      el('button', { type: 'button', onclick: () => frame.contentWindow && frame.contentWindow.print() }, t('report.print')),
      el('button', { type: 'button', onclick: () => { URL.revokeObjectURL(url); clear(box); } }, t('report.close'))),
    frame);
}
