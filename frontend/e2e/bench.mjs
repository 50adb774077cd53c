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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startBackend } from './harness.mjs';

const COUNT = Number(process.env.BENCH_COUNT || 10_000);
const SUBMITS = Number(process.env.BENCH_SUBMITS || 50);
const RELOADS = Number(process.env.BENCH_RELOADS || 5);
const STEP_ROWS = Number(process.env.BENCH_SCROLL_STEP_ROWS || 20);
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
