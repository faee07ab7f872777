// The console end to end: a real `smogd serve` on 127.0.0.1 with its own
// database, rules, configuration and notifiers, driven in headless
// Chromium, every reply from the real server. Covers sign-in, stations
// registered in the page, readings → AQI panel and chart, local-trigger
// proposals accepted and dismissed with a reason, a live level change after
// a warning, server-side order filters, an inspection and the order's
// compliance, a dead letter (the enterprise's webhook answers 400) and its
// retry, an escalation with a reason, the episode report, the report to the
// city (remarks, view, send), and an enterprise's acknowledgement; fails on
// any console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
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

const HOUR = 3600000;

// "2025-12-01T08:00:00+08:00" for a time in ms.
function at8(ms) {
  return new Date(ms + 8 * HOUR).toISOString().slice(0, 19) + '+08:00';
}

// "2025-12-01T08:00:00+08:00" for now + offsetMs.
function rfc3339(offsetMs) {
  return at8(Date.now() + offsetMs);
}

// n hourly PM2.5 readings ending at the last whole hour (readings may not
// lie in the future), oldest first.
function pm25Hours(station, n, value) {
  const last = Math.floor(Date.now() / HOUR) * HOUR;
  return Array.from({ length: n }, (_, k) => ({
    station, pollutant: 'pm25', value, unit: 'ug/m3', period: '1h', at: at8(last - (n - 1 - k) * HOUR),
  }));
}

async function waitFor(what, fn, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 150));
  }
}

// A webhook receiver on 127.0.0.1: /hook/ent answers `mode.ent` (400 until
// the test mends it), /hook/city answers 200; every request is counted.
async function startReceiver() {
  const rx = { mode: { ent: 400 }, hits: [] };
  rx.server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (b) => { body += b; });
    req.on('end', () => {
      rx.hits.push({ path: req.url, body });
      res.statusCode = req.url === '/hook/ent' ? rx.mode.ent : 200;
      res.end(res.statusCode === 200 ? 'ok' : 'bad request');
    });
  });
  await new Promise((r) => rx.server.listen(0, '127.0.0.1', r));
  rx.url = (p) => `http://127.0.0.1:${rx.server.address().port}${p}`;
  return rx;
}

async function startServer(db, extra) {
  const proc = spawn(SMOGD, ['serve', '--db', db, '--listen', '127.0.0.1:0', ...extra], {
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

// Clicks OK in the confirmation dialog, after writing the reason when one is asked.
async function confirm(page, reason) {
  await page.waitForSelector('#confirm-dialog[open]');
  if (reason !== undefined) await page.fill('#cf-reason', reason);
  await page.click('#cf-ok');
  await page.waitForSelector('#confirm-dialog:not([open])', { state: 'attached' });
}

// Collects console errors and uncaught exceptions of a page.
function watch(page, problems, label) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${label} console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`${label} pageerror: ${err.message}`));
}

test('console: officer and enterprise flows in headless Chromium', { timeout: 90000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'smogd-e2e-'));
  const db = path.join(dir, 'smogd.db');
  rmSync(ARTIFACTS, { recursive: true, force: true }); // no stale screenshots
  mkdirSync(ARTIFACTS, { recursive: true });
  let server = null;
  let browser = null;
  let rx = null;
  let failed = true;
  try {
    smogd(['list', 'import', path.join(SOURCE, 'scenarios/jiang-county/list.csv'), '--activate', '--year', '2025', '--db', db]);
    const officer = tokenFor(db, '--role', 'officer', '--name', 'duty-1');
    const issuer = tokenFor(db, '--role', 'issuer', '--name', 'city');
    const monitor = tokenFor(db, '--role', 'monitor', '--name', 'station-feed');
    const enterprise = tokenFor(db, '--role', 'enterprise', '--enterprise', ENTERPRISE);

    // the county's rules, but no grace period for compliance, so that an
    // inspection made seconds after an order is judged
    const rules = path.join(dir, 'rules');
    cpSync(path.join(SOURCE, 'rules'), rules, { recursive: true });
    const comp = JSON.parse(readFileSync(path.join(rules, 'compliance.json'), 'utf8'));
    comp.grace_minutes = 0;
    writeFileSync(path.join(rules, 'compliance.json'), JSON.stringify(comp));
    // notices go out by webhook; the city's daily report is due in two
    // hours and drafted at once (a three-hour lead)
    rx = await startReceiver();
    writeFileSync(path.join(dir, 'notifiers.json'), JSON.stringify({
      channels: { webhook: { secret: 'e2e-secret', timeout_ms: 2000, connect_timeout_ms: 500 } },
      city: { webhook_url: rx.url('/hook/city') },
      retry: { base_ms: 200, cap_ms: 800, max_attempts: 5 },
    }));
    const cutoffHour = (new Date(Date.now() + 8 * HOUR).getUTCHours() + 2) % 24;
    writeFileSync(path.join(dir, 'smogd.conf'), `notifiers ${path.join(dir, 'notifiers.json')}\n`
      + `daily_report_hour ${cutoffHour}\ndaily_report_lead_minutes 180\n`);
    server = await startServer(db, ['--rules', rules, '--config', path.join(dir, 'smogd.conf')]);
    const { base } = server;

    // the page itself is public and strict
    const head = await fetch(base + '/');
    assert.equal(head.status, 200);
    assert.match(head.headers.get('content-type'), /^text\/html/);
    const csp = head.headers.get('content-security-policy');
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-src blob:/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(head.headers.get('x-frame-options'), 'DENY');
    assert.equal(head.headers.get('x-content-type-options'), 'nosniff');
    assert.equal((await fetch(base + '/assets/app.js')).headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await fetch(base + '/assets/style.css')).headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal((await fetch(base + '/assets/missing.js')).status, 404);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
    const problems = [];
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
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
    await page.waitForSelector('#aqi-body p.muted:has-text("尚未登记监测站点")');
    await page.waitForSelector('#proposals-body p.muted');

    // two official stations registered in the page; a bad position is refused
    const addStation = async (id, name, lat, lon) => {
      await page.fill('#s-id', id);
      await page.fill('#s-name', name);
      await page.selectOption('#s-kind', 'official');
      await page.fill('#s-lat', String(lat));
      await page.fill('#s-lon', String(lon));
      await page.click('#station-form button[type=submit]');
    };
    await addStation('S1', '党校站', 95, 111.57);
    await page.waitForSelector('#station-form .form-error:has-text("lat must be within")');
    assert.equal(problems.length, 1, problems.join('\n')); // the refused PUT's 422 is expected
    assert.match(problems[0], /422/);
    problems.length = 0;
    await addStation('S1', '党校站', 35.4901, 111.5702);
    await page.waitForSelector('#station-list tr[data-station=S1]');
    await addStation('S2', '环保局站', 35.4853, 111.5861);
    await page.waitForSelector('#station-list tr[data-station=S2]');
    const st = await api(base, officer, 'GET', '/v1/stations');
    assert.deepEqual(st.data.stations.map((x) => [x.id, x.name, x.kind]), [['S1', '党校站', 'official'], ['S2', '环保局站', 'official']]);

    // 48 heavy hours at both (PM2.5 250 and 200 µg/m³: IAQI 300 and 250;
    // the county's mean 225: 275): the AQI panel fills in and the local
    // trigger (propose mode) proposes yellow
    let r = await api(base, monitor, 'POST', '/v1/readings',
      { readings: [...pm25Hours('S1', 48, 250), ...pm25Hours('S2', 48, 200)] });
    assert.equal(r.status, 200, JSON.stringify(r.data));
    assert.equal(r.data.accepted, 96);
    await page.waitForSelector('#aqi-body .aqi-county .aqi:has-text("275重度污染")');
    assert.match(await page.textContent('#stations tr[data-station=S1]'), /300重度污染/);
    assert.match(await page.textContent('#stations tr[data-station=S2]'), /250重度污染/);
    assert.equal(await page.$$eval('#stations tr.stale', (x) => x.length), 0);
    await page.waitForSelector('#aqi-chart svg path.series', { state: 'attached' });
    assert.equal(await page.$$eval('#aqi-chart svg path.series', (x) => x.length), 3);
    assert.match(await page.textContent('#aqi-chart .legend'), /全县.*党校站.*环保局站/);

    await page.waitForSelector('#open-proposals li');
    assert.match(await page.textContent('#open-proposals li'), /黄色/);
    await page.screenshot({ path: path.join(ARTIFACTS, '02-aqi-proposal.png'), fullPage: true });
    await page.click('#open-proposals li button.accept');
    await page.waitForSelector('#confirm-dialog[open]');
    await page.click('#cf-ok');
    await page.waitForSelector('#confirm-dialog .form-error:has-text("请填写原因")');
    await confirm(page, '两站 PM2.5 连续 24 小时以上重度污染，采纳');
    await page.waitForSelector('#level-big[data-level=yellow]');
    await page.waitForSelector('#decided-proposals li[data-state=accepted]');
    let props = (await api(base, officer, 'GET', '/v1/proposals')).data.proposals;
    assert.equal(props.length, 1);
    assert.equal(props[0].state, 'accepted');
    assert.equal(props[0].reason, '两站 PM2.5 连续 24 小时以上重度污染，采纳');

    // 80 heavy hours: orange is proposed above the yellow floor; dismissed
    r = await api(base, monitor, 'POST', '/v1/readings',
      { readings: [...pm25Hours('S1', 80, 250), ...pm25Hours('S2', 80, 200)] });
    assert.equal(r.status, 200, JSON.stringify(r.data));
    await page.waitForSelector('#open-proposals li:has-text("橙色")');
    await page.click('#open-proposals li button.dismiss');
    await confirm(page, '等待市级预警，暂不升级');
    await page.waitForSelector('#decided-proposals li[data-state=dismissed]');
    await page.waitForSelector('#proposals-body > p.muted');
    props = (await api(base, officer, 'GET', '/v1/proposals?state=dismissed')).data.proposals;
    assert.equal(props.length, 1);
    assert.equal(props[0].level, 'orange');
    assert.equal(props[0].reason, '等待市级预警，暂不升级');
    assert.equal((await api(base, officer, 'GET', '/v1/status')).data.level, 'yellow');

    // the enterprise's webhook refuses every notice (HTTP 400)
    r = await api(base, officer, 'PUT', `/v1/enterprises/${ENTERPRISE}/contacts`, { webhook_url: rx.url('/hook/ent') });
    assert.equal(r.status, 200, JSON.stringify(r.data));

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
    await page.screenshot({ path: path.join(ARTIFACTS, '03-level-orange.png'), fullPage: true });

    // orders: search by name, then town, industry and grade on the server
    await page.fill('#f-search', '恒盛');
    await page.click('#orders-filter button[type=submit]');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#orders tbody tr')];
      return rows.length > 0 && rows.every((r) => r.textContent.includes('恒盛'));
    });
    const names = await page.$$eval('#orders tbody tr', (rows) => rows.map((r) => r.dataset.enterprise));
    assert.deepEqual([...new Set(names)], [ENTERPRISE]);
    await page.click('#orders-filter button[type=reset]');
    await page.waitForSelector('#f-town option[value="140826201"]', { state: 'attached' });
    await page.selectOption('#f-town', '140826201');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#orders tbody tr')];
      return rows.length > 0 && rows.every((r) => r.children[1].textContent === '冷口乡');
    });
    const inTown = (await api(base, officer, 'GET', '/v1/orders?status=issued&town=140826201&limit=1')).data.total;
    const allIssued = (await api(base, officer, 'GET', '/v1/orders?status=issued&limit=1')).data.total;
    assert.ok(inTown > 0 && inTown < allIssued, `town filter should narrow ${allIssued} orders`);
    await page.selectOption('#f-status', 'issued');
    await page.waitForSelector(`#orders-count:text-is("共 ${inTown} 条")`);
    await page.selectOption('#f-industry', '铁合金');
    await page.selectOption('#f-grade', 'B');
    const narrowed = (await api(base, officer, 'GET',
      '/v1/orders?status=issued&town=140826201&industry=%E9%93%81%E5%90%88%E9%87%91&grade=B&limit=100')).data;
    assert.ok(narrowed.total > 0 && narrowed.total <= inTown);
    await page.waitForSelector(`#orders-count:text-is("共 ${narrowed.total} 条")`);
    assert.deepEqual(await page.$$eval('#orders tbody tr', (rows) => rows.map((r) => r.dataset.orderId).sort()),
      narrowed.orders.map((o) => String(o.id)).sort());
    assert.ok((await page.$$eval('#orders tbody tr', (rows) => rows.map((r) => r.children[2].textContent)))
      .every((x) => x.startsWith('铁合金') && x.endsWith('B')));
    await page.screenshot({ path: path.join(ARTIFACTS, '04-orders-filtered.png'), fullPage: true });

    // the detail opens on a row: an inspection finds a violation, and the
    // order's compliance says so at once
    await page.click(`#orders tbody tr[data-enterprise="${ENTERPRISE}"] button.open-order`);
    await page.waitForSelector('#detail-dialog[open] #detail-history tbody tr');
    assert.match(await page.textContent('#detail-title'), /恒盛/);
    await page.waitForSelector('#detail-deliveries :is(table, p)');
    await page.click('#do-inspect');
    await page.waitForSelector('#confirm-dialog[open]');
    await page.selectOption('#confirm-dialog select[name=line]', '1#矿热炉');
    await page.selectOption('#confirm-dialog select[name=result]', 'violation');
    await confirm(page, '现场检查：1#矿热炉未按要求限产');
    await page.waitForSelector('#detail-dialog[open] #detail-compliance .badge.compliance-violation');
    await page.waitForSelector('#detail-judgements tr[data-line="1#矿热炉"] .compliance-violation');
    await page.waitForSelector('#evidence tr.inspection:has-text("1#矿热炉未按要求限产")');
    const inspected = (await api(base, officer, 'GET', `/v1/orders?enterprise=${ENTERPRISE}&status=issued`)).data.orders[0];
    assert.equal(inspected.compliance, 'violation');
    await page.screenshot({ path: path.join(ARTIFACTS, '05-order-detail.png') });
    await page.keyboard.press('Escape');
    await page.waitForSelector('#detail-dialog:not([open])', { state: 'attached' });
    await page.waitForSelector(`#orders tbody tr[data-enterprise="${ENTERPRISE}"] .compliance-violation`);

    // the enterprise's notices died (HTTP 400): the dead-letter panel shows
    // them; the webhook is mended and one is retried from the page
    await page.waitForSelector('#deliveries-body tr[data-status=dead]', { timeout: 15000 });
    const dead = (await api(base, officer, 'GET', '/v1/deliveries?status=dead')).data.deliveries;
    assert.ok(dead.length >= 1 && dead.every((d) => d.enterprise === ENTERPRISE && d.last_status === 400), JSON.stringify(dead));
    await page.waitForFunction((n) => document.querySelectorAll('#deliveries-body tr[data-status=dead]').length === n, dead.length);
    const deadId = dead[0].id;
    await page.click(`#deliveries-body tr[data-delivery="${deadId}"] button.attempts`);
    await page.waitForSelector('#attempt-log tbody tr:has-text("400")');
    await page.screenshot({ path: path.join(ARTIFACTS, '06-dead-letters.png'), fullPage: true });
    rx.mode.ent = 200;
    await page.click(`#deliveries-body tr[data-delivery="${deadId}"] button.retry`);
    await confirm(page);
    await page.waitForSelector(`.toast:has-text("第 ${deadId} 号已重新排队")`);
    await waitFor('the retried delivery', async () =>
      (await api(base, officer, 'GET', `/v1/deliveries/${deadId}`)).data.status === 'delivered');
    const again = (await api(base, officer, 'GET', `/v1/deliveries/${deadId}`)).data;
    assert.equal(again.attempt_log.length, 2);
    await page.selectOption('#d-status', 'delivered');
    await page.waitForSelector(`#deliveries-body tr[data-delivery="${deadId}"][data-status=delivered]`);
    await page.selectOption('#d-status', 'dead');

    // escalate to red: the reason is mandatory, then the manual floor shows
    await page.selectOption('#escalate-level', 'red');
    await page.click('#escalate-button');
    await page.waitForSelector('#confirm-dialog[open]');
    await page.click('#cf-ok');
    await page.waitForSelector('#confirm-dialog .form-error:has-text("请填写原因")');
    await page.screenshot({ path: path.join(ARTIFACTS, '07-escalate-dialog.png') });
    await page.fill('#cf-reason', '本地站点 PM2.5 持续上升，提前升级');
    await page.click('#cf-ok');
    await page.waitForSelector('#confirm-dialog:not([open])', { state: 'attached' });
    await page.waitForSelector('#level-big[data-level=red]');
    const status = await api(base, officer, 'GET', '/v1/status');
    assert.equal(status.data.level, 'red');
    assert.equal(status.data.sources.manual, 'red');
    assert.equal(status.data.sources.municipal, 'orange');
    await page.waitForSelector('#level-sources [data-source=manual].on');

    // the episode report, fetched with the token and shown in a frame
    await page.click('#report-button');
    await page.waitForSelector('#report-box iframe.report-frame[data-ready="1"]');
    const reportFrame = await (await page.$('#report-box iframe')).contentFrame();
    assert.match(await reportFrame.textContent('body'), /恒盛|重污染/);
    assert.notEqual(await reportFrame.evaluate(() => getComputedStyle(document.body).fontFamily), '');
    await page.screenshot({ path: path.join(ARTIFACTS, '08-episode-report.png'), fullPage: true });

    // the warning's original text is shown as it came
    await page.click('#warnings tbody tr button');
    await page.waitForSelector('#warning-original pre');
    assert.match(await page.textContent('#warning-original pre'), /YC-E2E-001/);
    await page.screenshot({ path: path.join(ARTIFACTS, '09-console-red.png'), fullPage: true });

    // the daily report to the city: drafted by the timer, remarks written,
    // viewed, then sent (the city's webhook takes it)
    await waitFor('a draft daily report', async () => {
      await page.click('#cityreports-refresh');
      return page.$('#cityreports tr[data-state=draft]');
    }, 35000);
    const row = '#cityreports tr[data-state=draft]';
    const reportId = await page.getAttribute(row, 'data-report');
    await page.click(`${row} button.remarks-report`);
    await confirm(page, '全县巡查 12 家，发现 1 家未落实限产');
    await page.waitForSelector('.toast:has-text("说明已保存")');
    await page.click(`#cityreports tr[data-report="${reportId}"] button.view-report`);
    await page.waitForSelector('#cityreport-view iframe.report-frame[data-ready="1"]');
    const cityFrame = await (await page.$('#cityreport-view iframe')).contentFrame();
    assert.match(await cityFrame.textContent('body'), /全县巡查 12 家/);
    const download = page.waitForEvent('download');
    await page.selectOption(`#cityreports tr[data-report="${reportId}"] select.download-format`, 'csv');
    assert.equal((await download).suggestedFilename(), `city-report-${reportId}.csv`);
    await page.screenshot({ path: path.join(ARTIFACTS, '10-city-report.png'), fullPage: true });
    await page.click(`#cityreports tr[data-report="${reportId}"] button.send-report`);
    await confirm(page);
    await page.waitForSelector(`#cityreports tr[data-report="${reportId}"][data-state=sent]`);
    const sent = (await api(base, officer, 'GET', `/v1/reports/${reportId}`)).data;
    assert.equal(sent.state, 'sent');
    assert.equal(sent.report.remarks, '全县巡查 12 家，发现 1 家未落实限产');
    await waitFor('the report at the city', () => rx.hits.some((h) => h.path === '/hook/city'));

    // English, remembered across a reload
    await page.click('#lang-toggle');
    await page.waitForSelector('#level-big:has-text("Red")');
    await page.reload();
    await page.waitForSelector('#console:not([hidden])');
    assert.equal(await page.textContent('h1'), 'Jiang County heavy-pollution response console');
    await page.waitForSelector('#level-big:has-text("Red")');
    await page.waitForSelector('#decided-proposals li:has-text("dismissed")');
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
    await epage.screenshot({ path: path.join(ARTIFACTS, '11-enterprise-order.png'), fullPage: true });
    await epage.click('#ack-button');
    await epage.waitForSelector('#ent-acked');
    assert.match(await epage.textContent('#ent-acked'), /已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 确认收到/);
    await epage.screenshot({ path: path.join(ARTIFACTS, '12-enterprise-acked.png'), fullPage: true });
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

    assert.deepEqual(problems, []);
    failed = false;
  } finally {
    if (browser) await browser.close();
    if (server) {
      server.proc.kill('SIGTERM');
      await new Promise((r) => server.proc.once('exit', r));
      if (failed) process.stderr.write('server stderr:\n' + server.stderr().slice(-4000) + '\n');
    }
    if (rx) rx.server.close();
    if (!failed) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write('kept ' + dir + '\n');
  }
});
