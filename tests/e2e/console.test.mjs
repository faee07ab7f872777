// The console end to end: a real `smogd serve` on 127.0.0.1 with its own
// database, driven in headless Chromium. Covers sign-in, a live level
// change after a warning, order filters and detail, an escalation with a
// reason, and an enterprise's acknowledgement; fails on any console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = process.env.SMOGD_SOURCE_DIR || path.resolve(HERE, '..', '..');
const SMOGD = process.env.SMOGD || path.join(SOURCE, 'build', 'engine', 'smogd');
const ARTIFACTS = path.join(HERE, 'artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ENTERPRISE = '9114082601234567CH'; // first row of the Jiang County list, in 冷口乡
const ENTERPRISE_NAME = '绛县恒盛铁合金有限公司';

function smogd(args) {
  return execFileSync(SMOGD, args, { cwd: SOURCE, encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] });
}

function tokenFor(db, ...args) {
  const out = smogd(['token', 'create', ...args, '--db', db]).trim().split('\n');
  return out[out.length - 1].trim();
}

// "2025-12-01T08:00:00+08:00" for now + offsetMs.
function rfc3339(offsetMs) {
  const d = new Date(Date.now() + offsetMs + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 19) + '+08:00';
}

async function startServer(db) {
  const proc = spawn(SMOGD, ['serve', '--db', db, '--listen', '127.0.0.1:0'], {
    cwd: SOURCE, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (b) => { stderr += b.toString(); });
  const lines = createInterface({ input: proc.stdout });
  const addr = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start: ' + stderr)), 10000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /listening on (\S+)/.exec(line);
      if (m) resolve(m[1]);
      else reject(new Error('unexpected first line: ' + line));
    });
    proc.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  return { proc, base: 'http://' + addr, stderr: () => stderr };
}

async function api(base, token, method, p, body) {
  const res = await fetch(base + p, {
    method,
    headers: { Authorization: 'Bearer ' + token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json();
  return { status: res.status, data };
}

// Collects console errors and uncaught exceptions of a page.
function watch(page, problems, label) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${label} console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`${label} pageerror: ${err.message}`));
}

test('console: officer and enterprise flows in headless Chromium', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'smogd-e2e-'));
  const db = path.join(dir, 'smogd.db');
  mkdirSync(ARTIFACTS, { recursive: true });
  let server = null;
  let browser = null;
  let failed = true;
  try {
    smogd(['list', 'import', path.join(SOURCE, 'scenarios/jiang-county/list.csv'), '--activate', '--year', '2025', '--db', db]);
    const officer = tokenFor(db, '--role', 'officer', '--name', 'duty-1');
    const issuer = tokenFor(db, '--role', 'issuer', '--name', 'city');
    const enterprise = tokenFor(db, '--role', 'enterprise', '--enterprise', ENTERPRISE);
    server = await startServer(db);
    const { base } = server;

    // the page itself is public and strict
    const head = await fetch(base + '/');
    assert.equal(head.status, 200);
    assert.match(head.headers.get('content-type'), /^text\/html/);
    assert.match(head.headers.get('content-security-policy'), /default-src 'self'/);
    assert.doesNotMatch(head.headers.get('content-security-policy'), /unsafe-inline/);
    assert.equal(head.headers.get('x-frame-options'), 'DENY');
    assert.equal(head.headers.get('x-content-type-options'), 'nosniff');
    assert.equal((await fetch(base + '/assets/app.js')).headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await fetch(base + '/assets/style.css')).headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal((await fetch(base + '/assets/missing.js')).status, 404);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
    const problems = [];
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(10000);
    watch(page, problems, 'officer');

    // sign in: a wrong token is refused, the right one shows the console
    await page.goto(base + '/');
    await page.screenshot({ path: path.join(ARTIFACTS, '01-signin.png') });
    await page.fill('#token', 'smg_not_a_token');
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#signin-error:has-text("令牌无效")');
    problems.length = 0; // the refused sign-in's 401 is expected
    await page.fill('#token', officer);
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#console:not([hidden])');
    await page.waitForSelector('#level-big[data-level=none]');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('smogd.officer.token') !== null), true);
    assert.equal(await page.evaluate(() => localStorage.getItem('smogd.officer.token')), null);

    // a city warning arrives: the level turns orange within a poll
    const warning = {
      identifier: 'YC-E2E-001', sender: 'yuncheng-aqo', sent: rfc3339(-60000), msg_type: 'alert',
      status: 'Actual', level: 'orange', onset: rfc3339(-60000), expires: rfc3339(48 * 3600000),
      area: ['140826'], headline: '运城市重污染天气橙色预警',
    };
    const posted = await api(base, issuer, 'POST', '/v1/warnings', warning);
    assert.equal(posted.status, 200, JSON.stringify(posted.data));
    assert.equal(posted.data.applied, true);
    await page.waitForSelector('#level-big[data-level=orange]', { timeout: 8000 });
    assert.equal(await page.textContent('#level-big'), '橙色预警');
    await page.waitForSelector('#level-sources [data-source=municipal].on');
    await page.waitForSelector('#timeline tbody tr');
    await page.waitForSelector('#orders tbody tr');
    await page.screenshot({ path: path.join(ARTIFACTS, '02-level-orange.png'), fullPage: true });

    // panels whose endpoints this server lacks say so; the others fill in
    const routes = (await api(base, officer, 'GET', '/v1/console/routes')).data.routes
      .map((r) => r.method + ' ' + r.pattern);
    if (routes.includes('GET /v1/aqi')) await page.waitForSelector('#aqi-body .aqi-county');
    else await page.waitForSelector('#aqi-body .unavailable');
    if (routes.includes('GET /v1/deliveries')) await page.waitForSelector('#deliveries-body :is(table, p.muted)');
    else await page.waitForSelector('#deliveries-body .unavailable');

    // orders: search by name, then filter by town
    await page.fill('#f-search', '恒盛');
    await page.click('#orders-filter button[type=submit]');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#orders tbody tr')];
      return rows.length > 0 && rows.every((r) => r.textContent.includes('恒盛'));
    });
    const names = await page.$$eval('#orders tbody tr', (rows) => rows.map((r) => r.dataset.enterprise));
    assert.deepEqual([...new Set(names)], [ENTERPRISE]);
    await page.click('#orders-filter button[type=reset]');
    await page.selectOption('#f-town', '140826201');
    await page.click('#orders-filter button[type=submit]');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#orders tbody tr')];
      return rows.length > 0 && rows.every((r) => r.children[1].textContent === '冷口乡');
    });
    const all = await api(base, officer, 'GET', '/v1/orders?limit=10000');
    const inTown = all.data.orders.filter((o) => o.town === '140826201').length;
    assert.ok(inTown > 0 && inTown < all.data.total, `town filter should narrow ${all.data.total} orders`);
    assert.equal(await page.textContent('#orders-count'), `共 ${inTown} 条`);
    await page.screenshot({ path: path.join(ARTIFACTS, '03-orders-filtered.png'), fullPage: true });

    // the detail panel opens on a row and closes with Escape
    await page.click(`#orders tbody tr[data-enterprise="${ENTERPRISE}"] button.open-order`);
    await page.waitForSelector('#detail-dialog[open] #detail-history tbody tr');
    assert.match(await page.textContent('#detail-title'), /恒盛/);
    await page.waitForSelector('#detail-deliveries :is(table, p)');
    await page.screenshot({ path: path.join(ARTIFACTS, '04-order-detail.png') });
    await page.keyboard.press('Escape');
    await page.waitForSelector('#detail-dialog:not([open])', { state: 'attached' });

    // escalate to red: the reason is mandatory, then the manual floor shows
    await page.selectOption('#escalate-level', 'red');
    await page.click('#escalate-button');
    await page.waitForSelector('#confirm-dialog[open]');
    await page.click('#cf-ok');
    await page.waitForSelector('#confirm-dialog .form-error:has-text("请填写原因")');
    await page.screenshot({ path: path.join(ARTIFACTS, '05-escalate-dialog.png') });
    await page.fill('#cf-reason', '本地站点 PM2.5 持续上升，提前升级');
    await page.click('#cf-ok');
    await page.waitForSelector('#confirm-dialog:not([open])', { state: 'attached' });
    await page.waitForSelector('#level-big[data-level=red]');
    const status = await api(base, officer, 'GET', '/v1/status');
    assert.equal(status.data.level, 'red');
    assert.equal(status.data.sources.manual, 'red');
    assert.equal(status.data.sources.municipal, 'orange');
    await page.waitForSelector('#level-sources [data-source=manual].on');

    // the warning's original text is shown as it came
    await page.click('#warnings tbody tr button');
    await page.waitForSelector('#warning-original pre');
    assert.match(await page.textContent('#warning-original pre'), /YC-E2E-001/);
    await page.screenshot({ path: path.join(ARTIFACTS, '06-console-red.png'), fullPage: true });

    // English, remembered across a reload
    await page.click('#lang-toggle');
    await page.waitForSelector('#level-big:has-text("Red")');
    await page.reload();
    await page.waitForSelector('#console:not([hidden])');
    assert.equal(await page.textContent('h1'), 'Jiang County heavy-pollution response console');
    await page.waitForSelector('#level-big:has-text("Red")');
    await page.click('#lang-toggle');
    await page.waitForSelector('#level-big:has-text("红色预警")');

    // the enterprise acknowledges on a phone-sized screen
    const ectx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const epage = await ectx.newPage();
    epage.setDefaultTimeout(10000);
    watch(epage, problems, 'enterprise');
    await epage.goto(base + '/enterprise');
    await epage.fill('#token', enterprise);
    await epage.click('#signin-form button[type=submit]');
    await epage.waitForSelector('#ack-button');
    assert.equal(await epage.getAttribute('#ent-level', 'data-level'), 'red');
    assert.match(await epage.textContent('#order .intro'), new RegExp(ENTERPRISE_NAME));
    const measures = await epage.$$eval('#ent-measures li', (li) => li.map((x) => x.textContent));
    assert.ok(measures.length > 0 && measures.every((m) => m.includes('：')), measures.join('|'));
    assert.ok(measures.some((m) => m.includes('停产')), measures.join('|'));
    await epage.screenshot({ path: path.join(ARTIFACTS, '07-enterprise-order.png'), fullPage: true });
    await epage.click('#ack-button');
    await epage.waitForSelector('#ent-acked');
    assert.match(await epage.textContent('#ent-acked'), /已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 确认收到/);
    await epage.screenshot({ path: path.join(ARTIFACTS, '08-enterprise-acked.png'), fullPage: true });
    const mine = await api(base, enterprise, 'GET', '/v1/orders?status=acknowledged');
    assert.equal(mine.data.orders.length, 1);
    assert.equal(mine.data.orders[0].enterprise, ENTERPRISE);

    // the officer sees the acknowledgement in the order's detail
    await page.click('#orders-filter button[type=reset]');
    await page.fill('#f-search', ENTERPRISE);
    await page.selectOption('#f-status', 'acknowledged');
    await page.click('#orders-filter button[type=submit]');
    await page.waitForSelector(`#orders tbody tr[data-enterprise="${ENTERPRISE}"]`);
    await page.click(`#orders tbody tr[data-enterprise="${ENTERPRISE}"] button.open-order`);
    await page.waitForSelector('#detail-dialog[open] #detail-history tbody tr');
    assert.doesNotMatch(await page.textContent('#detail-dialog'), /尚未确认/);
    await page.keyboard.press('Escape');

    // panels for endpoints added elsewhere (AQI, proposals, deliveries),
    // fed canned replies in the shapes the contract names
    await page.route('**/v1/console/routes', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      for (const p of ['GET /v1/aqi', 'GET /v1/aqi/history', 'GET /v1/stations', 'GET /v1/proposals',
        'POST /v1/proposals/{}/accept', 'POST /v1/proposals/{}/dismiss', 'GET /v1/deliveries',
        'POST /v1/deliveries/{}/retry']) {
        const [method, pattern] = p.split(' ');
        body.routes.push({ method, pattern });
      }
      await route.fulfill({ response: res, json: body });
    });
    const hourAgo = rfc3339(-3600000);
    const json = (body) => (route) => route.fulfill({ json: body });
    await page.route('**/v1/aqi', json({
      county: { hourly: { aqi: 182, primary: ['pm25'], at: hourAgo }, daily: { aqi: 156, primary: ['pm25'], at: hourAgo } },
      stations: [
        { station: 'dangxiao', hourly: { aqi: 190, primary: ['pm25'], at: hourAgo }, daily: { aqi: 160, at: hourAgo } },
        { station: 'hbj', hourly: { aqi: 95, primary: ['pm10'], at: rfc3339(-10 * 3600000) }, daily: { aqi: 88, at: hourAgo } },
      ],
    }));
    await page.route('**/v1/stations', json({ stations: [{ id: 'dangxiao', name: '党校' }, { id: 'hbj', name: '环保局' }] }));
    const series = (base0) => Array.from({ length: 72 }, (_, i) => ({
      at: rfc3339(-(72 - i) * 3600000), aqi: Math.round(base0 + 60 * Math.sin(i / 9)),
    }));
    await page.route('**/v1/aqi/history*', json({
      county: series(140), stations: [{ station: 'dangxiao', points: series(150) }, { station: 'hbj', points: series(110) }],
    }));
    await page.route('**/v1/proposals', json({ proposals: [{ id: 7, level: 'red', status: 'pending', at: hourAgo, reason: '党校站 PM2.5 连续 4 小时超过 250' }] }));
    await page.route('**/v1/deliveries?*', json({ deliveries: [{ id: 31, order_id: 1, enterprise: ENTERPRISE, channel: 'sms', status: 'dead', attempts: 8, last_error: 'gateway timeout', updated_at: hourAgo }] }));
    await page.route('**/v1/deliveries/31/retry', json({ id: 31, status: 'pending' }));
    await page.route('**/v1/proposals/7/dismiss', json({ id: 7, status: 'dismissed' }));
    await page.reload();
    await page.waitForSelector('#aqi-chart svg path.series');
    assert.equal(await page.$$eval('#aqi-chart svg path.series', (p) => p.length), 3);
    assert.match(await page.textContent('#stations'), /党校/);
    assert.equal(await page.$$eval('#stations tr.stale', (r) => r.length), 1);
    await page.click('#proposals-body button:has-text("驳回")');
    await page.fill('#cf-reason', '低成本站点漂移，已核实');
    await page.click('#cf-ok');
    await page.waitForSelector('#deliveries-body button.retry');
    await page.click('#deliveries-body button.retry');
    await page.fill('#cf-reason', '短信网关已恢复');
    await page.click('#cf-ok');
    await page.waitForSelector('.toast');
    await page.screenshot({ path: path.join(ARTIFACTS, '09-aqi-proposals-deliveries.png'), fullPage: true });

    assert.deepEqual(problems, []);
    failed = false;
  } finally {
    if (browser) await browser.close();
    if (server) {
      server.proc.kill('SIGTERM');
      await new Promise((r) => server.proc.once('exit', r));
      if (failed) process.stderr.write('server stderr:\n' + server.stderr().slice(-4000) + '\n');
    }
    if (!failed) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write('kept ' + dir + '\n');
  }
});
