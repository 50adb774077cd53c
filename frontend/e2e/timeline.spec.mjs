// End to end: the History's filters, search, day groups, events and export
// against the real backend and its search index, and undo and redo of a
// proposal found by searching. Same harness as history.spec.mjs.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectStatus, submit } from './fixtures.mjs';
import { artifactsDir as defaultArtifacts, until, watchErrors } from './harness.mjs';
import { suite } from './suite.mjs';

const artifacts = process.env.COUNTERSIGN_ARTIFACTS || defaultArtifacts;
mkdirSync(artifacts, { recursive: true });

/** Calls a bound method through the bridge, as the UI does. */
async function call(base, method, ...args) {
  const res = await fetch(`${base}/__bridge/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method, args }),
  });
  const body = await res.json();
  if (body.error !== undefined && body.error !== null) throw new Error(`${method}: ${body.error}`);
  return body.result;
}

const query = (over) => ({ agent: '', statuses: [], kinds: [], risks: [], from: '', to: '', path: '', text: '', cursor: '', limit: 50, ...over });

/** Waits until the search index has caught up with a word (it runs about every second). */
async function indexed(base, text, count) {
  await until(async () => (await call(base, 'Timeline', query({ text }))).items.length === count, { what: `search "${text}" finds ${count}` });
}

const rowTitles = (page) => page.$$eval('[role="listbox"] [role="option"]:not([aria-disabled]) .row-summary', (els) => els.map((e) => e.textContent));

async function expectRows(page, want) {
  let got;
  await until(
    async () => {
      got = await rowTitles(page);
      return JSON.stringify(got.toSorted()) === JSON.stringify(want.toSorted());
    },
    { what: `rows ${JSON.stringify(want)} (last seen ${JSON.stringify(got)})` },
  );
}

describe('history filters, search and export', () => {
  const env = suite({ workspace: 'countersign-timeline-', viewport: { width: 1280, height: 860 } });

  it('filters by status, searches summaries and reasons, and undoes and redoes what it found', async () => {
    const { backend, browser, workspace } = env;
    const base = backend.url;
    mkdirSync(join(workspace, 'budget'));
    const budget = join(workspace, 'budget', 'q3.md');
    writeFileSync(budget, '# Q3\n\nDraft.\n');
    writeFileSync(join(workspace, 'archive.md'), 'old notes\n');
    const seeds = [
      { summary: 'Write the quarterly budget summary', actions: [{ kind: 'file.write', path: 'budget/q3.md', content: '# Q3\n\nSpent 40%.\n' }] },
      { summary: 'Start a packing list for the trip', actions: [{ kind: 'file.write', path: 'travel/packing.md', content: '- tent\n' }] },
      { summary: 'Draft the invoice for March', actions: [{ kind: 'file.write', path: 'invoices/march.txt', content: 'Invoice\n' }] },
      { summary: 'Delete the old archive notes', actions: [{ kind: 'file.delete', path: 'archive.md' }] },
    ];
    const ids = [];
    for (const s of seeds) ids.push((await submit(base, { agent_id: 'claude-code@laptop', workspace, ...s })).id);
    const [budgetId, packingId, invoiceId, archiveId] = ids;
    for (const id of [budgetId, packingId, invoiceId]) {
      await call(base, 'Approve', id);
      await expectStatus(base, id, 'executed');
    }
    await call(base, 'Deny', archiveId, 'Keep the archive until the audit finishes');
    await expectStatus(base, archiveId, 'denied');
    await indexed(base, 'audit', 1);
    await indexed(base, 'packing', 1);

    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(base);
    await page.click('[role="tab"]:has-text("History")');
    const all = seeds.map((s) => s.summary);
    await expectRows(page, all);
    // Grouped by day: all of them were decided today.
    await page.waitForSelector('.group-band:has-text("Today")');

    // Status: only the denied one, then clear.
    await page.click('.filter-chips button:has-text("Denied")');
    await expectRows(page, ['Delete the old archive notes']);
    assert.equal(await page.getAttribute('.filter-chips button:has-text("Denied")', 'aria-pressed'), 'true');
    // While filtered, a proposal denied now comes into the list, live; one
    // carried out meanwhile does not.
    const agenda = await submit(base, { agent_id: 'codex-cli', workspace, summary: 'Write the meeting agenda',
      actions: [{ kind: 'file.write', path: 'agenda.md', content: '- plans\n' }] });
    const drafts = await submit(base, { agent_id: 'codex-cli', workspace, summary: 'Remove the drafts folder',
      actions: [{ kind: 'file.delete', path: 'archive.md' }] });
    await call(base, 'Approve', agenda.id);
    await expectStatus(base, agenda.id, 'executed');
    await call(base, 'Deny', drafts.id, 'Not this week');
    await expectRows(page, ['Delete the old archive notes', 'Remove the drafts folder']);
    assert.equal(await page.getAttribute('.filter-chips button:has-text("Denied")', 'aria-pressed'), 'true');
    all.push('Write the meeting agenda', 'Remove the drafts folder');
    await page.click('button:has-text("Clear filters")');
    await expectRows(page, all);

    // "/" focuses the search; a word of a summary finds it.
    await page.click('[role="listbox"]');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'history-search');
    await page.keyboard.type('packing');
    await expectRows(page, ['Start a packing list for the trip']);

    // A word of a deny reason finds the denied one.
    await page.fill('#history-search', 'audit');
    await expectRows(page, ['Delete the old archive notes']);
    await page.waitForSelector('#proposal-title:has-text("Delete the old archive")');
    await page.waitForSelector('.event-timeline li:has-text("Denied")');
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(artifacts, `timeline-search-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // No matches: said so, with a way out.
    await page.fill('#history-search', 'zebra');
    await page.waitForSelector('.empty-state:has-text("No matches")');
    await page.screenshot({ path: join(artifacts, 'timeline-no-matches.png') });

    // Esc clears the search: everything is back.
    await page.focus('#history-search');
    await page.keyboard.press('Escape');
    assert.equal(await page.inputValue('#history-search'), '');
    await expectRows(page, all);

    // Find the budget change, open it, undo and redo it on disk.
    await page.fill('#history-search', 'quarterly');
    await expectRows(page, ['Write the quarterly budget summary']);
    await page.click('[role="option"]:has-text("quarterly budget")');
    await page.waitForSelector('#proposal-title:has-text("quarterly budget")');
    await page.waitForSelector('.event-timeline li:has-text("Carried out")');
    assert.equal(readFileSync(budget, 'utf8'), '# Q3\n\nSpent 40%.\n');
    await page.keyboard.press('u');
    await expectStatus(base, budgetId, 'reverted');
    assert.equal(readFileSync(budget, 'utf8'), '# Q3\n\nDraft.\n');
    await page.waitForSelector('.event-timeline li:has-text("Undone")');
    await page.keyboard.press('Shift+R');
    await expectStatus(base, budgetId, 'executed');
    assert.equal(readFileSync(budget, 'utf8'), '# Q3\n\nSpent 40%.\n');

    // Export what the filters select: the one found.
    await page.click('button:has-text("Export CSV…")');
    const status = page.locator('.export-status');
    await until(async () => /Exported 1 entry to /.test(await status.textContent()), { what: 'export status' });
    const path = (await status.textContent()).replace(/^Exported 1 entry to /, '').replace(/\s*×$/, '').trim();
    const csv = readFileSync(path, 'utf8');
    assert.match(csv, /quarterly budget/);
    assert.doesNotMatch(csv, /packing/);
    await page.screenshot({ path: join(artifacts, 'timeline-export.png') });

    assert.deepEqual(errors, []);
    await page.close();
  });
});
