// End to end: the built UI in Chromium against the real backend (the
// test-only countersign-e2e binary, which serves frontend/dist and bridges
// the bound methods and events over HTTP). Run with `npm run e2e`.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectStatus, samples, submit } from './fixtures.mjs';
import { artifactsDir as defaultArtifacts, until, watchErrors } from './harness.mjs';
import { suite } from './suite.mjs';

const artifacts = process.env.COUNTERSIGN_ARTIFACTS || defaultArtifacts;
mkdirSync(artifacts, { recursive: true });

const rowTitles = (page) => page.$$eval('[role="option"] .row-summary', (els) => els.map((e) => e.textContent));
const selectedTitle = (page) => page.$eval('[role="option"][aria-selected="true"] .row-summary', (e) => e.textContent);
const detailTitle = (page) => page.textContent('#proposal-title');

async function expectSelected(page, summary) {
  await until(async () => (await selectedTitle(page).catch(() => null)) === summary, { what: `row "${summary}" selected` });
  await until(async () => (await detailTitle(page).catch(() => null)) === summary, { what: `detail of "${summary}"` });
  // Approving before the preview is there asks for confirmation: wait for it.
  await page.waitForSelector('.actions[data-preview="ready"], .actions[data-preview="error"]');
}

describe('review queue', () => {
  const env = suite({ workspace: 'countersign-workspace-' });

  it('lists, selects, approves, denies and updates live', async () => {
    const { backend, browser, workspace } = env;
    const base = backend.url;
    const make = (name, kind = 'file.write') => ({
      agent_id: 'test-agent',
      summary: name,
      workspace,
      actions: [kind === 'file.write' ? { kind, path: `${name}.txt`, content: `${name}\n` } : { kind, path: `${name}.txt` }],
    });
    const a = await submit(base, make('Alpha'));
    const b = await submit(base, make('Bravo'));
    const c = await submit(base, make('Charlie'));
    const d = await submit(base, make('Delta', 'file.delete'));

    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(base);
    await page.waitForSelector('[role="option"] .row-summary');
    await page.evaluate(() => window.__bridgeReady);
    // A marker that a reload would wipe: updates must arrive live.
    await page.evaluate(() => (window.__noReload = true));

    assert.deepEqual(await rowTitles(page), ['Delta', 'Charlie', 'Bravo', 'Alpha']);
    assert.match(await page.textContent('.pending-count'), /4\s*pending/);
    await expectSelected(page, 'Delta');
    await page.screenshot({ path: join(artifacts, 'e2e-queue.png') });

    // Select with a click, then with j/k and the arrows.
    await page.click('[role="option"]:has-text("Charlie")');
    await expectSelected(page, 'Charlie');
    await page.keyboard.press('j');
    await expectSelected(page, 'Bravo');
    await page.keyboard.press('k');
    await expectSelected(page, 'Charlie');
    await page.keyboard.press('ArrowDown');
    await expectSelected(page, 'Bravo');

    // Approve with the button: the next proposal is selected. Countersign
    // carries it out: Bravo.txt is written in the workspace.
    await page.click('button:has-text("Approve")');
    await expectStatus(base, b.id, 'executed');
    assert.equal(readFileSync(join(workspace, 'Bravo.txt'), 'utf8'), 'Bravo\n');
    await expectSelected(page, 'Alpha');
    assert.deepEqual(await rowTitles(page), ['Delta', 'Charlie', 'Alpha']);

    // Approve with `a`.
    await page.keyboard.press('a');
    const approvedA = await expectStatus(base, a.id, 'executed');
    assert.equal(approvedA.decision.verdict, 'approve');
    // Every decision is signed: a compact JWS, three base64url segments.
    assert.match(approvedA.decision.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    await expectSelected(page, 'Charlie');

    // Deny with `d`, a typed reason and Enter.
    await page.keyboard.press('d');
    const reason = 'Please keep notes in docs/, not at the top level.';
    await page.waitForSelector('.deny-dialog textarea:focus');
    await page.keyboard.type(reason);
    await page.screenshot({ path: join(artifacts, 'e2e-deny.png') });
    await page.keyboard.press('Enter');
    const denied = await expectStatus(base, c.id, 'denied');
    assert.equal(denied.decision.verdict, 'deny');
    assert.equal(denied.decision.reason, reason);
    assert.match(denied.decision.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    await expectSelected(page, 'Delta');

    // A new proposal shows up on top while the page is open.
    const e = await submit(base, make('Echo'));
    await until(async () => (await rowTitles(page))[0] === 'Echo', { what: 'Echo on top' });
    assert.deepEqual(await rowTitles(page), ['Echo', 'Delta']);
    assert.equal(await page.evaluate(() => window.__noReload), true);
    await until(async () => /2\s*pending/.test(await page.textContent('.pending-count')), { what: 'count 2' });
    // The selection stayed where it was.
    await expectSelected(page, 'Delta');

    // Decide the rest: the empty state appears. Delta deletes a file that is
    // not there, so it has no preview, approving asks once more, and carrying
    // it out fails (nothing is changed).
    await page.keyboard.press('a');
    await page.click('.confirm-approve button:has-text("without a preview")');
    const failed = await expectStatus(base, d.id, 'failed');
    assert.equal(failed.decision.verdict, 'approve');
    await expectSelected(page, 'Echo');
    await page.keyboard.press('a');
    await expectStatus(base, e.id, 'executed');
    assert.equal(readFileSync(join(workspace, 'Echo.txt'), 'utf8'), 'Echo\n');
    await page.waitForSelector('text=No requests waiting');
    // The status line follows the last approval through to its outcome.
    await page.waitForSelector('.last-decision:has-text("Approved and carried out: Echo")');
    assert.match(await page.textContent('.pending-count'), /0\s*pending/);
    await page.screenshot({ path: join(artifacts, 'e2e-empty.png') });

    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows every kind of action, in light and dark, down to 800x500', async () => {
    const { backend, browser } = env;
    const base = backend.url;
    for (const s of samples) await submit(base, s);
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width: 1100, height: 720 });
      await page.goto(base);
      await page.waitForSelector('#proposal-title');
      await page.screenshot({ path: join(artifacts, `e2e-${scheme}.png`) });
      // Each kind renders its own preview.
      for (const [summary, selector] of [
        ['Run the test suite and regenerate snapshots', '.argv .arg-text'],
        ['Update Q3 budget: marketing line and totals', 'table.cells'],
        ['Add a usage section to README.md', '.code-del'],
        // What a request sends out cannot be taken back: said before approval.
        ['Upload the meeting notes to the team wiki', '.undo-warning:has-text("Cannot be undone")'],
        ['Upload the meeting notes to the team wiki', '.request-line'],
        ['Create a page "Trip ideas" in the Personal workspace', '[aria-label="Tool input"]'],
      ]) {
        await page.click(`[role="option"]:has-text(${JSON.stringify(summary)})`);
        await page.waitForSelector(`#proposal-title:has-text(${JSON.stringify(summary)})`);
        await page.waitForSelector(selector);
        if (selector.startsWith('.undo-warning')) await page.screenshot({ path: join(artifacts, `e2e-undo-warning-${scheme}.png`) });
      }
      await page.click('[role="option"]:has-text("Run the test suite")');
      const argv = await page.$$eval('.argv .arg-text', (els) => els.map((e) => e.textContent));
      assert.deepEqual(argv, ['npm', 'run', 'test', '--', '--update-snapshots', 'src/cart tests/e2e']);
      await page.screenshot({ path: join(artifacts, `e2e-command-${scheme}.png`) });
      await page.setViewportSize({ width: 800, height: 500 });
      await page.click('[role="option"]:has-text("Add a usage section")');
      await page.screenshot({ path: join(artifacts, `e2e-small-${scheme}.png`) });
      // Nothing spills sideways at the smallest size.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
    }
    // The help overlay opens with ? and closes with Esc.
    await page.keyboard.press('?');
    await page.waitForSelector('[role="dialog"][aria-modal="true"]');
    await page.screenshot({ path: join(artifacts, 'e2e-help.png') });
    await page.keyboard.press('Escape');
    await until(async () => (await page.$('[role="dialog"][aria-modal="true"]')) === null, { what: 'help closed' });
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('secrets in a request', () => {
  const env = suite({ workspace: 'countersign-workspace-' });

  it('warns that the request writes an AWS key, without showing it in the warning', async () => {
    const { backend, browser, workspace } = env;
    await submit(backend.url, {
      agent_id: 'test-agent',
      summary: 'Configure the deploy',
      workspace,
      actions: [
        { kind: 'file.write', path: '.env', content: '# deploy\nAWS_ACCESS_KEY_ID=AKIAZ3MSJVQ2XK7PLN4R\n' },
        { kind: 'command.run', argv: ['git', 'clone', 'https://ada:S3cr3tPassw0rd!@git.example.com/r.git'] },
      ],
    });
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(backend.url);
    const warning = await page.waitForSelector('.secret-warning');
    const items = await warning.$$eval('li', (els) => els.map((e) => e.textContent));
    assert.deepEqual(items, [
      'Action 1 writes an AWS access key (content, line 2).',
      'Action 2 runs a command with a password in a URL (command line, line 1).',
    ]);
    assert.ok(!(await warning.textContent()).includes('AKIA'));
    await page.screenshot({ path: join(artifacts, 'e2e-secret-warning.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
