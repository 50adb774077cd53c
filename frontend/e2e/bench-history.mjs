// History benchmark (run by `make bench`, or `npm run bench:history`): the
// built frontend in Chromium against the real backend, with a database
// seeded with BENCH_HISTORY_COUNT past proposals (100,000). Prints progress
// to stderr and one JSON line of results to stdout:
//   first_page  from the click on the History tab (the app already loaded
//               on the requests) to the first rows painted: the rows'
//               insertion seen by a MutationObserver, then the frame after
//               it (requestAnimationFrame, then a task). Fresh page each
//               run, so each one fetches and renders the history from
//               nothing; median, p99 and max over BENCH_HISTORY_RUNS runs.
//   scroll      the list scrolled from the top to its last row,
//               BENCH_HISTORY_STEP rows per step (the list reads ahead of
//               the view, so each step reads every row it passes), each
//               step waiting for its rows to be loaded. At 1,000, 50,000
//               and 100,000 rows (and at 0) garbage is collected (CDP
//               HeapProfiler.collectGarbage) and the JS heap in use and the
//               DOM node count are read (CDP Performance.getMetrics): the
//               list is virtualized, so the DOM stays the same size, and
//               its model holds only a window of rows around the view, so
//               the heap does too.
//   back        then dragged back to row 50,000 and to the top, each jump
//               waiting for its rows: a stretch let go, read again.
import { launchBrowser, startBackend } from './harness.mjs';

const COUNT = Number(process.env.BENCH_HISTORY_COUNT || 100_000);
const RUNS = Number(process.env.BENCH_HISTORY_RUNS || 15);
const STEP = Number(process.env.BENCH_HISTORY_STEP || 400);
const CHECKPOINTS = [0, 1_000, 50_000, 100_000].filter((n) => n <= COUNT);
const ROWS = '.history-list [role="option"] .row-summary';

const log = (...a) => console.error('bench-history:', ...a);

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return round(s[i]);
}

function round(x) {
  return Math.round(x * 10) / 10;
}

async function seed(base, count) {
  const res = await fetch(`${base}/__test/seed-history`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ count }),
  });
  if (!res.ok) throw new Error(`seed-history: ${res.status} ${await res.text()}`);
}

/** One cold first page: load the app on the requests, then time the switch to the History. */
async function firstPage(page, base) {
  await page.goto(base);
  await page.waitForFunction(() => performance.getEntriesByName('countersign:first-page-painted').length > 0);
  return page.evaluate(async (rows) => {
    const tab = [...document.querySelectorAll('[role="tab"]')].find((t) => t.textContent?.includes('History'));
    if (!tab) throw new Error('no History tab');
    const painted = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the history never painted')), 30_000);
      const seen = () => {
        clearTimeout(timer);
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
      };
      const obs = new MutationObserver(() => {
        if (document.querySelector(rows)) {
          obs.disconnect();
          seen();
        }
      });
      obs.observe(document.body, { childList: true, subtree: true });
    });
    const t0 = performance.now();
    tab.click();
    return (await painted) - t0;
  }, ROWS);
}

async function metrics(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics: m } = await cdp.send('Performance.getMetrics');
  const get = (name) => m.find((x) => x.name === name)?.value ?? 0;
  return { heap_mb: round(get('JSHeapUsedSize') / 1048576), dom_nodes: get('Nodes') };
}

/** Scrolls the history until row `to` is at the top of the view and loaded. */
async function scrollTo(page, to) {
  await page.evaluate(async ({ to }) => {
    const el = document.querySelector('.history-list .queue-scroll');
    const slot = document.querySelector('.history-list .row-slot');
    if (!el || !slot) throw new Error('no list');
    const rowH = slot.getBoundingClientRect().height;
    const want = to * rowH;
    const deadline = performance.now() + 30_000;
    for (;;) {
      // The list grows as pages arrive: scroll as far as it goes, again.
      el.scrollTop = Math.min(want, el.scrollHeight - el.clientHeight);
      await new Promise((r) => requestAnimationFrame(() => r()));
      if (el.scrollTop >= Math.min(want, el.scrollHeight - el.clientHeight) - 1 && el.scrollTop >= want - rowH && !el.querySelector('.row-placeholder')) return;
      // The end: the list knows its length ("History, N in all").
      if (el.scrollTop >= el.scrollHeight - el.clientHeight - 1 && !el.querySelector('.row-placeholder') &&
        el.getAttribute('aria-label')?.includes('in all')) return;
      if (performance.now() > deadline) throw new Error(`rows at ${to} never loaded`);
    }
  }, { to });
}

async function main() {
  const backend = await startBackend();
  const browser = await launchBrowser({ viewport: { width: 1100, height: 720 } });
  try {
    log(`seeding ${COUNT} past proposals`);
    let t = Date.now();
    await seed(backend.url, COUNT);
    log(`seeded in ${Date.now() - t} ms`);

    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));

    log(`first page, ${RUNS} runs`);
    const times = [];
    for (let i = 0; i < RUNS + 1; i++) times.push(await firstPage(page, backend.url));
    const cold = times.shift(); // the first run also warms the database's page cache

    log(`scrolling ${COUNT} rows, ${STEP} per step`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const at = {};
    t = Date.now();
    let row = 0;
    for (const cp of CHECKPOINTS) {
      while (row < cp) {
        row = Math.min(cp, row + STEP);
        await scrollTo(page, row);
      }
      const m = await metrics(cdp);
      const last = await page.$$eval('.history-list [role="option"]', (els) => Number(els.at(-1)?.getAttribute('aria-posinset') ?? 0));
      at[cp] = { ...m, last_row_in_dom: last };
      if (cp === COUNT && last !== COUNT) {
        const why = await page.evaluate(() => [document.querySelector('.history-list [role="listbox"]')?.getAttribute('aria-label'),
          document.querySelector('.history-list [role="alert"]')?.textContent].join(' / '));
        throw new Error(`the list ended at row ${last}, not ${COUNT}: ${why}`);
      }
      log(`at ${cp}: ${JSON.stringify(at[cp])}`);
    }
    const scrollMs = Date.now() - t;
    // Back up: stretches the model let go, read again from its cursors.
    const back = {};
    for (const to of [Math.floor(COUNT / 2), 0]) {
      const t1 = Date.now();
      await scrollTo(page, to);
      const first = await page.$$eval('.history-list [role="option"]', (els) => Number(els[0]?.getAttribute('aria-posinset') ?? 0));
      back[to] = { ms: Date.now() - t1, first_row_in_dom: first };
      log(`back to ${to}: ${JSON.stringify(back[to])}`);
    }
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);

    const result = {
      bench: 'ui-history',
      history: COUNT,
      first_page_ms: { n: times.length, p50: pct(times, 50), p99: pct(times, 99), max: pct(times, 100), first_run: round(cold) },
      scroll: { step_rows: STEP, seconds: round(scrollMs / 1000), at, back },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await browser.close();
    await backend.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
