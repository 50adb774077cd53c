// UI benchmark (run by `make bench`, or `npm run bench`): the built frontend
// in Chromium against the real backend with 10,000 pending proposals.
// Prints progress to stderr and one JSON line of results to stdout:
//   first_page   the first page of 10,000 pending: from its request (the
//                app's own mark) to it being painted ("request_*"), and from
//                navigation start, page load included ("load_*"); cold and the
//                median of warm reloads
//   submit       50 submissions one after another: from just before the page
//                itself sends the submit request to the row being in the DOM
//   scroll       the list scrolled from the top to ~row 10,000 in steps, one
//                per animation frame: frame times and the most rows ever in
//                the DOM (the list is virtualized, so it stays small)
//   diff_*       a file.write of a 100,000-line file over an existing one
//                (diff_1pct: 1% of lines changed; diff_all: every line), opened
//                from the queue: ms from the click to the first diff rows
//                painted (backend and bridge included: calls_done_ms is when
//                the last backend call it waited for ended, calls_MB what they
//                carried: the proposal and its preview as JSON), then
//                the diff scrolled from top to bottom in DIFF_FRAMES equal
//                steps, one per animation frame (each frame shows rows never
//                drawn before): frame times, frames over 50 ms, and the JS
//                heap (after a forced GC) and DOM nodes before the click
//                (the queue showing another proposal), with the diff at its
//                top and at its bottom
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startBackend } from './harness.mjs';

const COUNT = Number(process.env.BENCH_COUNT || 10_000);
const SUBMITS = Number(process.env.BENCH_SUBMITS || 50);
const RELOADS = Number(process.env.BENCH_RELOADS || 5);
const STEP_ROWS = Number(process.env.BENCH_SCROLL_STEP_ROWS || 20);
const DIFF_LINES = Number(process.env.BENCH_DIFF_LINES || 100_000);
const DIFF_FRAMES = Number(process.env.BENCH_DIFF_FRAMES || 600);
const FIRST_PAINT_MARK = 'countersign:first-page-painted';

const log = (...a) => console.error('bench:', ...a);

function pct(values, p) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return round(s[i]);
}

function round(x) {
  return Math.round(x * 10) / 10;
}

// Seeds through the bulk endpoint; if the backend refuses it, falls back to
// one /__test/submit per proposal, a few at a time.
async function seed(base, count, workspace) {
  const res = await fetch(`${base}/__test/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ count }),
  });
  if (res.ok) return 'bulk';
  log(`bulk seed refused (${res.status} ${(await res.text()).trim()}); submitting one by one`);
  let next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      const r = await fetch(`${base}/__test/submit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          agent_id: `seed-agent-${i % 7}`,
          summary: `Seeded change ${i}`,
          workspace,
          actions: [{ kind: 'file.write', path: `seed/file-${i}.txt`, content: `content ${i}\n` }],
        }),
      });
      if (!r.ok) throw new Error(`submit ${i}: ${r.status} ${await r.text()}`);
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker));
  return 'one by one';
}

async function firstPage(page, base) {
  await page.goto(base);
  const ms = await page.evaluate(async (mark) => {
    const deadline = performance.now() + 30_000;
    for (;;) {
      const e = performance.getEntriesByName(mark)[0];
      const req = performance.getEntriesByName('countersign:first-page-requested')[0];
      if (e && req) return { load: e.startTime, request: e.startTime - req.startTime };
      if (performance.now() > deadline) throw new Error('first page never painted');
      await new Promise((r) => setTimeout(r, 10));
    }
  }, FIRST_PAINT_MARK);
  const rows = await page.$$eval('[role="option"] .row-summary', (els) => els.length);
  if (rows === 0) throw new Error('first page painted without rows');
  return ms;
}

async function submitToVisible(page, n, workspace) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const marker = `bench-live-${i}-${Date.now()}`;
    const ms = await page.evaluate(async ({ marker, workspace }) => {
      const list = document.querySelector('.queue-inner');
      if (!list) throw new Error('no list');
      const seen = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`row ${marker} never appeared`)), 15_000);
        const obs = new MutationObserver(() => {
          const t = performance.now();
          if (list.textContent.includes(marker)) {
            obs.disconnect();
            clearTimeout(timer);
            resolve(t);
          }
        });
        obs.observe(list, { childList: true, subtree: true, characterData: true });
      });
      const t0 = performance.now();
      const res = await fetch('/__test/submit', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          agent_id: 'bench-agent',
          summary: marker,
          workspace,
          actions: [{ kind: 'file.write', path: `bench/${marker}.txt`, content: 'x\n' }],
        }),
      });
      if (!res.ok) throw new Error(`submit: ${res.status}`);
      return (await seen) - t0;
    }, { marker, workspace });
    times.push(ms);
  }
  return times;
}

async function scroll(page, stepRows) {
  return page.evaluate(async (stepRows) => {
    const el = document.querySelector('.queue-scroll');
    const first = document.querySelector('[role="option"]');
    if (!el || !first) throw new Error('no list');
    const rowH = first.getBoundingClientRect().height;
    el.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(() => r()));
    const frames = [];
    let maxRows = 0;
    let last = performance.now();
    const target = () => el.scrollHeight - el.clientHeight;
    const started = performance.now();
    await new Promise((resolve) => {
      const step = (t) => {
        frames.push(t - last);
        last = t;
        maxRows = Math.max(maxRows, el.querySelectorAll('[role="option"]').length);
        if (el.scrollTop >= target() - 1 || performance.now() - started > 120_000) return resolve();
        el.scrollTop = Math.min(target(), el.scrollTop + stepRows * rowH);
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    // Wait for the rows at the end to be loaded rather than placeholders.
    const deadline = performance.now() + 30_000;
    while (document.querySelector('.row-placeholder') && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const lastRow = [...el.querySelectorAll('[role="option"]')].pop();
    return {
      frames: frames.slice(1),
      maxRows,
      reachedRow: Number(lastRow?.getAttribute('aria-posinset') ?? 0),
      placeholdersLeft: document.querySelectorAll('.row-placeholder').length,
      domNodes: document.getElementsByTagName('*').length,
    };
  }, stepRows);
}

/** Line i of a made-up source file, and the same line changed. */
function diffLine(i) {
  return `\tresult${i} := compute(${JSON.stringify('abcdefgh'.slice(0, 1 + (i % 7)))}, ${(i * 7919) % 1000}) // step ${i}`;
}
function changedLine(i) {
  return `\tresult${i} := compute(${JSON.stringify('abcdefgh'.slice(0, 1 + (i % 7)))}, ${(i * 7919) % 1000 + 1}) // step ${i}`;
}

/**
 * Submits a file.write of a DIFF_LINES-line file over an existing one, opens
 * it in the queue and scrolls its diff from top to bottom.
 */
async function diffScroll(browser, base, workspace, variant) {
  const name = `big-${variant}.go`;
  const old = Array.from({ length: DIFF_LINES }, (_, i) => diffLine(i));
  writeFileSync(join(workspace, name), `${old.join('\n')}\n`);
  const changed = old.map((l, i) => (variant === 'all' || i % 100 === 50 ? changedLine(i) : l));
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  async function memory() {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    return { heap_MB: round(m.JSHeapUsedSize / 1e6), dom_nodes: await page.evaluate(() => document.getElementsByTagName('*').length) };
  }
  try {
    // The queue open on another proposal (the one it selects itself, shown
    // in full), then the change arrives and is clicked, as a person would.
    await page.goto(base);
    await page.waitForSelector('.actions[data-preview="ready"]', { timeout: 30_000 });
    const before = await memory();
    const summary = `Rewrite ${name} (${variant})`;
    const res = await fetch(`${base}/__test/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        agent_id: 'bench-agent',
        summary,
        workspace,
        actions: [{ kind: 'file.write', path: name, content: `${changed.join('\n')}\n` }],
      }),
    });
    if (!res.ok) throw new Error(`submit ${name}: ${res.status} ${await res.text()}`);
    const row = page.locator(`[role="option"]:has-text(${JSON.stringify(summary)})`);
    await row.waitFor();
    await row.evaluate((el) => {
      window.__benchClick = performance.now();
      el.click();
    });
    const first = await page.evaluate(async () => {
      const deadline = performance.now() + 60_000;
      // The frame after the one in which rows are first in the DOM: they
      // have been painted by then.
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      for (;;) {
        await frame();
        if (document.querySelector('.diff-scroll .drow-line')) break;
        if (performance.now() > deadline) throw new Error('diff rows never appeared');
      }
      const painted = (await frame()) - window.__benchClick;
      // The backend calls the click waited for (the proposal and its
      // previews; they may have started a little before it).
      const calls = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/__bridge/call') && e.responseEnd >= window.__benchClick);
      return {
        painted,
        callsDone: calls.length ? Math.max(...calls.map((e) => e.responseEnd)) - window.__benchClick : null,
        callsBytes: calls.reduce((n, e) => n + e.encodedBodySize, 0),
      };
    });
    const top = await memory();
    const s = await page.evaluate(async (frames) => {
      const el = document.querySelector('.diff-scroll');
      if (!el) throw new Error('no diff');
      const rows = document.querySelectorAll('.diff-scroll .drow').length;
      const target = el.scrollHeight - el.clientHeight;
      const step = Math.max(1, target / frames);
      const times = [];
      let maxRows = 0;
      let last = performance.now();
      const started = last;
      await new Promise((resolve) => {
        const tick = (t) => {
          times.push(t - last);
          last = t;
          maxRows = Math.max(maxRows, el.querySelectorAll('.drow').length);
          const goal = el.scrollHeight - el.clientHeight;
          if (el.scrollTop >= goal - 1 || performance.now() - started > 40_000) return resolve();
          el.scrollTop = Math.min(goal, el.scrollTop + step);
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      const lastRow = [...el.querySelectorAll('.drow-line .ln-no')].pop();
      return {
        frames: times.slice(1),
        rowsAtTop: rows,
        maxRows,
        stepPx: Math.round(step),
        scrollPx: Math.round(el.scrollHeight),
        reachedEnd: el.scrollTop >= el.scrollHeight - el.clientHeight - 1,
        lastLineNo: Number(lastRow?.textContent || 0),
      };
    }, DIFF_FRAMES);
    const bottom = await memory();
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    return {
      first_rows_ms: round(first.painted),
      calls_done_ms: first.callsDone === null ? null : round(first.callsDone),
      calls_MB: round(first.callsBytes / 1e6),
      frames: s.frames.length,
      step_px: s.stepPx,
      scroll_px: s.scrollPx,
      reached_end: s.reachedEnd,
      frame_ms_p50: pct(s.frames, 50),
      frame_ms_p95: pct(s.frames, 95),
      frame_ms_p99: pct(s.frames, 99),
      frame_ms_max: pct(s.frames, 100),
      frames_over_50ms: s.frames.filter((f) => f > 50).length,
      max_dom_rows: s.maxRows,
      heap_MB: { before: before.heap_MB, top: top.heap_MB, bottom: bottom.heap_MB },
      dom_nodes: { before: before.dom_nodes, top: top.dom_nodes, bottom: bottom.dom_nodes },
    };
  } finally {
    await cdp.detach().catch(() => {});
    await page.close();
  }
}

async function main() {
  const workspace = mkdtempSync(join(tmpdir(), 'countersign-bench-workspace-'));
  const backend = await startBackend();
  const browser = await launchBrowser({ viewport: { width: 1100, height: 720 } });
  try {
    log(`seeding ${COUNT} proposals`);
    const t = Date.now();
    const how = await seed(backend.url, COUNT, workspace);
    log(`seeded ${how} in ${Date.now() - t} ms`);

    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));

    log('first page');
    const cold = await firstPage(page, backend.url);
    const warm = [];
    for (let i = 0; i < RELOADS; i++) warm.push(await firstPage(page, backend.url));
    await page.evaluate(() => window.__bridgeReady);

    log(`${SUBMITS} live submissions`);
    const submits = await submitToVisible(page, SUBMITS, workspace);

    log('scrolling');
    const s = await scroll(page, STEP_ROWS);
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    await page.close();

    const diffs = {};
    for (const variant of ['1pct', 'all']) {
      log(`diff of ${DIFF_LINES} lines, ${variant === 'all' ? 'every line' : '1%'} changed`);
      diffs[variant] = await diffScroll(browser, backend.url, workspace, variant);
    }

    const result = {
      bench: 'ui',
      pending: COUNT,
      first_page_ms: {
        request_cold: round(cold.request),
        request_warm_median: pct(warm.map((w) => w.request), 50),
        load_cold: round(cold.load),
        load_warm_median: pct(warm.map((w) => w.load), 50),
      },
      submit_to_visible_ms: { n: submits.length, p50: pct(submits, 50), p99: pct(submits, 99), max: pct(submits, 100) },
      scroll: {
        frames: s.frames.length,
        step_rows: STEP_ROWS,
        frame_ms_p50: pct(s.frames, 50),
        frame_ms_p95: pct(s.frames, 95),
        frame_ms_p99: pct(s.frames, 99),
        reached_row: s.reachedRow,
        max_dom_rows: s.maxRows,
        dom_nodes_at_end: s.domNodes,
        placeholders_left: s.placeholdersLeft,
      },
      diff_lines: DIFF_LINES,
      diff_1pct: diffs['1pct'],
      diff_all: diffs.all,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await browser.close();
    await backend.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
