// End to end: the Insights tab counts what agents proposed and what became
// of it, from the real backend. Same harness as queue.spec.mjs: the built UI
// in Chromium against the e2e backend.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectStatus, submit } from './fixtures.mjs';
import { artifactsDir as defaultArtifacts, until, watchErrors } from './harness.mjs';
import { suite } from './suite.mjs';

const artifacts = process.env.COUNTERSIGN_ARTIFACTS || defaultArtifacts;
mkdirSync(artifacts, { recursive: true });

const figure = (page, id) => page.textContent(`[data-testid="${id}"] .insights-card-value`);

describe('insights', () => {
  const env = suite({ workspace: 'countersign-insights-', viewport: { width: 1280, height: 900 } });

  it('shows the counts, decision times, top paths and commands, and denials with their reasons', async () => {
    const { backend, browser, workspace } = env;
    const base = backend.url;
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(base);
    await page.evaluate(() => window.__bridgeReady);

    // Nothing yet: the empty state.
    await page.keyboard.press('i');
    await page.waitForSelector('[role="tab"][aria-selected="true"]:has-text("Insights")');
    await page.waitForSelector('.insights-empty:has-text("Nothing to show yet")');

    const write = (agent, path) =>
      submit(base, { agent_id: agent, summary: `Write ${path}`, workspace, actions: [{ kind: 'file.write', path, content: 'x\n' }] });
    const a = await write('claude-code@laptop', 'notes/a.md');
    const b = await write('claude-code@laptop', 'notes/a.md');
    const c = await submit(base, {
      agent_id: 'codex@ci',
      summary: 'Push the branch',
      workspace,
      actions: [{ kind: 'command.run', argv: ['git', 'push', '--force'], dir: '.' }],
    });
    await write('codex@ci', 'notes/pending.md');

    const call = (method, ...args) => page.evaluate(([m, xs]) => window.go.app.App[m](...xs), [method, args]);
    await call('Approve', a.id);
    await call('Deny', b.id, 'Writes the same file twice');
    await call('Deny', c.id, 'Never force-push <b>main</b>');
    await expectStatus(base, a.id, 'executed');
    await expectStatus(base, c.id, 'denied');

    await page.click('button:has-text("Refresh")');
    await until(async () => (await figure(page, 'total-proposed').catch(() => null)) === '4', { what: '4 proposed' });
    assert.equal(await figure(page, 'total-approved'), '1');
    assert.equal(await figure(page, 'total-denied'), '2');
    assert.equal(await figure(page, 'total-executed'), '1');
    assert.equal(await figure(page, 'total-reverted'), '0');
    assert.equal(await figure(page, 'auto-approved'), '0%');
    assert.match(await page.textContent('[data-testid="auto-approved"]'), /No rules yet/);
    assert.notEqual(await figure(page, 'decision-time'), '—');

    const rows = await page.$$eval('[data-testid="agents"] tbody tr', (trs) =>
      trs.map((tr) => Array.from(tr.children, (td) => td.textContent)),
    );
    assert.deepEqual(rows.toSorted(), [
      ['claude-code@laptop', '2', '1', '1', '1', '0', '0'],
      ['codex@ci', '2', '0', '1', '0', '0', '0'],
    ]);
    assert.match(await page.textContent('[data-testid="top-paths"]'), /notes\/a\.md\s*2/);
    assert.match(await page.textContent('[data-testid="top-commands"]'), /git\s*1/);
    const reasons = await page.$$eval('[data-testid="denials"] .insights-reason', (ps) => ps.map((p) => p.textContent));
    // Newest first, as plain text.
    assert.deepEqual(reasons, ['Never force-push <b>main</b>', 'Writes the same file twice']);
    assert.equal(await page.locator('[data-testid="denials"] b').count(), 0);
    // The chart drew one bar segment per day and series with a count.
    await page.waitForSelector('[data-testid="day-chart"] .recharts-bar-rectangle path');

    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(artifacts, `insights-${scheme}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 800, height: 600 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
    await page.screenshot({ path: join(artifacts, 'insights-small-dark.png') });

    // i again goes back to the requests.
    await page.keyboard.press('i');
    await page.waitForSelector('[role="tab"][aria-selected="true"]:has-text("Requests")');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
