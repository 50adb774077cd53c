// End to end: previews of real files, partial approval, the spreadsheet
// view and the confirmation asked when a preview is missing. Same harness
// as queue.spec.mjs: the built UI in Chromium against the e2e backend.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectStatus, getProposal, submit, typoInMissingFile } from './fixtures.mjs';
import { artifactsDir as defaultArtifacts, until, watchErrors } from './harness.mjs';
import { suite } from './suite.mjs';

const artifacts = process.env.COUNTERSIGN_ARTIFACTS || defaultArtifacts;
mkdirSync(artifacts, { recursive: true });

const sha256 = (s) => createHash('sha256').update(s).digest('hex');

async function open(page, summary) {
  await page.click(`[role="option"]:has-text(${JSON.stringify(summary)})`);
  await page.waitForSelector(`#proposal-title:has-text(${JSON.stringify(summary)})`);
  await page.waitForSelector('.actions[data-preview="ready"], .actions[data-preview="error"]');
}

/** The claims of a compact JWS (its middle segment). */
function claims(token) {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

// What the token says a file.write does (backend/intent ActionDigest): the
// SHA-256 of the RFC 8785 form of {"content_sha256","kind","path"}. The keys
// are already in JCS order and the values are plain ASCII.
function fileWriteDigest(path, content) {
  return sha256(JSON.stringify({ content_sha256: sha256(content), kind: 'file.write', path }));
}

describe('previews', () => {
  const env = suite({ workspace: 'countersign-preview-', viewport: { width: 1280, height: 860 } });

  it('shows a real diff, switches layout, and approves part of it', async () => {
    const { backend, browser, workspace } = env;
    const base = backend.url;
    const lines = Array.from({ length: 60 }, (_, i) => `Line ${i + 1}: the café opens at ${8 + (i % 4)} o'clock`);
    const original = `${lines.join('\n')}\n`;
    writeFileSync(join(workspace, 'schedule.txt'), original);
    const first = original.replace("Line 5: the café opens at 8 o'clock", "Line 5: the café opens at 9 o'clock 🎉");
    const both = first.replace("Line 50: the café opens at 9 o'clock", "Line 50: the bakery opens at 9 o'clock");
    assert.notEqual(first, original);
    assert.notEqual(both, first);
    const p = await submit(base, {
      agent_id: 'claude-code',
      summary: 'Update the opening times',
      rationale: 'The café moved its opening time.',
      workspace,
      actions: [
        { kind: 'file.write', path: 'schedule.txt', content: both },
        { kind: 'file.write', path: 'notes/changes.md', content: '# Changes\n\n- Opening time moved to 9.\n' },
      ],
    });

    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(base);
    await page.waitForSelector('[role="option"] .row-summary');
    await open(page, 'Update the opening times');

    // The file list names both files with their counts.
    const listed = await page.$$eval('.file-list li', (els) => els.map((e) => e.textContent));
    assert.equal(listed.length, 2);
    assert.match(listed[0], /schedule\.txt.*\+2.*−2/);
    assert.match(listed[1], /notes\/changes\.md.*\+3.*−0/);

    // Two hunks, far apart, with the unchanged lines between them counted.
    const diff = page.locator('#action-0 .diff');
    await diff.locator('.drow-hunk').first().waitFor();
    assert.equal(await diff.locator('.drow-hunk').count(), 2);
    const gaps = await diff.locator('.gap').allTextContents();
    assert.deepEqual(gaps.map((g) => g.trim()), ['⋯ 1 unchanged line', '⋯ 38 unchanged lines']);
    // Word highlights: only the changed words are marked.
    const added = await diff.locator('mark.word-add').allTextContents();
    assert.ok(added.some((t) => t.includes('9')), `added words: ${added}`);
    assert.ok(added.some((t) => t.includes('🎉')), `added words: ${added}`);
    assert.ok(added.some((t) => t.includes('bakery')), `added words: ${added}`);
    const removed = await diff.locator('mark.word-del').allTextContents();
    assert.ok(removed.some((t) => t.includes('café')), `removed words: ${removed}`);
    assert.ok(!removed.some((t) => t.includes('Line')), 'unchanged words are not marked');
    // The new file is marked as such.
    await page.waitForSelector('#action-1 .badge-add:has-text("new file")');

    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(artifacts, `preview-diff-unified-${scheme}.png`) });
    }

    // The separator between the hunks expands into the lines it hides, numbered on both sides.
    await diff.locator('button.gap', { hasText: '38 unchanged lines' }).click();
    const middle = diff.locator('.drow-line', { hasText: "Line 20: the café opens at 11 o'clock" });
    await middle.waitFor();
    assert.deepEqual(await middle.locator('.ln-no').allTextContents(), ['20', '20']);
    assert.equal(await diff.locator('.gap').count(), 1);

    // s switches to side by side, and the choice is remembered.
    await page.locator('.detail-scroll').focus();
    await page.keyboard.press('s');
    await page.waitForSelector('#action-0 .diff-split');
    const pair = diff.locator('.drow-pair:has(.dline-del)').first();
    assert.equal(await pair.locator('.dline-old .ln-no').textContent(), '5');
    assert.equal(await pair.locator('.dline-new .ln-no').textContent(), '5');
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(artifacts, `preview-diff-split-${scheme}.png`) });
    }
    await page.reload();
    await open(page, 'Update the opening times');
    await page.waitForSelector('#action-0 .diff-split');
    await page.click('#action-0 .mode-switch button:has-text("Unified")');
    await page.waitForSelector('#action-0 .diff-unified');

    // Keep only the first change of the first file, and not the second file.
    const approve = page.locator('.decide .btn-primary');
    assert.equal((await approve.textContent()).replace(/a$/, '').trim(), 'Approve');
    await page.getByLabel('Keep change 2 of 2').uncheck();
    assert.match(await approve.textContent(), /Approve selected \(1 of 2 changes\)/);
    await page.getByLabel('Keep action 2', { exact: true }).uncheck();
    assert.match(await approve.textContent(), /Approve selected \(1 of 2 actions\)/);
    await page.waitForSelector('#action-1.action-off');
    await page.waitForSelector('#action-0 .drow-hunk.drow-off');
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(artifacts, `preview-partial-${scheme}.png`) });
    }
    await approve.click();

    // Carried out as approved: only the kept change, and not the second file.
    const decided = await expectStatus(base, p.id, 'executed');
    assert.equal(readFileSync(join(workspace, 'schedule.txt'), 'utf8'), first);
    assert.equal(existsSync(join(workspace, 'notes', 'changes.md')), false);
    assert.equal(decided.decision.verdict, 'approve-part');
    assert.match(decided.decision.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const c = claims(decided.decision.token);
    assert.equal(c.decision, 'approve-part');
    assert.deepEqual(
      c.actions.map((a) => a.index),
      [0],
    );
    assert.equal(c.actions[0].kind, 'file.write');
    assert.equal(c.actions[0].content_sha256, fileWriteDigest('schedule.txt', first));
    assert.notEqual(c.actions[0].content_sha256, fileWriteDigest('schedule.txt', both));
    assert.equal(c.actions[0].target_sha256, sha256(original));

    assert.deepEqual(errors, []);
    await page.close();
  });

  it('asks once more before approving without a preview', async () => {
    const { backend, browser, workspace } = env;
    const base = backend.url;
    const p = await submit(base, typoInMissingFile(workspace));
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(base);
    await open(page, 'Fix a typo in a file that is not there');
    await page.waitForSelector('.preview-error:has-text("does not exist")');
    // The agent's request is still shown in full.
    await page.waitForSelector('#action-0 .code-del');
    await page.locator('.detail-scroll').focus();
    await page.keyboard.press('a');
    await page.waitForSelector('.confirm-approve');
    await page.screenshot({ path: join(artifacts, 'preview-error-confirm.png') });
    // A second a does not approve: only the button does.
    await page.keyboard.press('a');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await getProposal(base, p.id)).status, 'pending');
    await page.keyboard.press('Escape');
    await until(async () => (await page.$('.confirm-approve')) === null, { what: 'confirm closed' });
    await page.click('.decide .btn-primary');
    await page.click('.confirm-approve .btn-danger');
    // Approved, but the file to edit is not there: carrying it out fails and
    // nothing is created.
    const decided = await expectStatus(base, p.id, 'failed');
    assert.equal(decided.decision.verdict, 'approve');
    assert.equal(existsSync(join(workspace, 'missing.md')), false);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('spreadsheet preview', () => {
  const env = suite({ args: ['--demo'], viewport: { width: 1280, height: 860 } });

  it('shows the changed cells of the demo budget on a grid', async () => {
    const { backend, browser } = env;
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(backend.url);
    const summary = 'Update the Q4 forecast in budget.xlsx';
    await page.waitForSelector(`[role="option"]:has-text(${JSON.stringify(summary)})`, { timeout: 20_000 });
    await open(page, summary);
    await page.waitForSelector('.sheet-summary:has-text("3 cells in 1 sheet")');
    await page.waitForSelector('.sheet-tab[aria-selected="true"]:has-text("Forecast")');
    // The grid shows the workbook with the changes applied and marked.
    await page.waitForSelector('.sgrid-cell[data-cell="B2"].sgrid-modified');
    assert.equal((await page.textContent('.sgrid-cell[data-cell="B2"]')).trim(), '48200');
    assert.match(await page.getAttribute('.sgrid-cell[data-cell="B2"]', 'title'), /45100 → 48200/);
    await page.waitForSelector('.sgrid-cell[data-cell="D3"].sgrid-modified');
    await page.waitForSelector('.sgrid-cell[data-cell="E5"].sgrid-added');
    assert.equal(await page.locator('.sgrid-cell.sgrid-modified, .sgrid-cell.sgrid-added').count(), 3);
    // Unchanged cells are not marked.
    assert.equal(await page.getAttribute('.sgrid-cell[data-cell="C2"]', 'class'), 'sgrid-cell sgrid-num');
    // Formulas that depend on the changed cells are called out.
    const deps = await page.textContent('.dependents');
    assert.match(deps, /2 formulas depend on cells that change/);
    assert.match(deps, /E2\s*=SUM\(B2:D2\)\s*depends on B2/);
    // The change list has old and new values.
    const rows = await page.$$eval('.change-list tbody tr', (els) => els.map((e) => e.textContent));
    assert.deepEqual(rows.length, 3);
    assert.match(rows[0], /B2.*45100.*48200/);

    // n and p step through the changes.
    await page.locator('.detail-scroll').focus();
    await page.keyboard.press('n');
    await page.waitForSelector('.sgrid-cell[data-cell="B2"].sgrid-current');
    await page.keyboard.press('n');
    await page.waitForSelector('.sgrid-cell[data-cell="D3"].sgrid-current');
    await page.waitForSelector('.change-pos:has-text("Change 2 of 3")');
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(artifacts, `preview-sheet-${scheme}.png`) });
    }
    await page.keyboard.press('p');
    await page.keyboard.press('p');
    await page.waitForSelector('.sgrid-cell[data-cell="E5"].sgrid-current');
    await page.click('button:has-text("Previous")');
    await page.waitForSelector('.sgrid-cell[data-cell="D3"].sgrid-current');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
