// End to end: a change approved in the UI is carried out on real files,
// undone and redone from the History view, and an undo that would overwrite
// later edits asks first. Same harness as queue.spec.mjs: the built UI in
// Chromium against the e2e backend, which may change files under the
// temporary folder where the workspace is made.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectStatus, getProposal, submit, typoInMissingFile } from './fixtures.mjs';
import { artifactsDir as defaultArtifacts, until, watchErrors } from './harness.mjs';
import { suite } from './suite.mjs';

const artifacts = process.env.COUNTERSIGN_ARTIFACTS || defaultArtifacts;
mkdirSync(artifacts, { recursive: true });

const bannerWord = (page) => page.textContent('.banner strong');
const selectedStatus = (page) => page.textContent('[role="option"][aria-selected="true"] .status');

async function expectBanner(page, word) {
  await until(async () => (await bannerWord(page).catch(() => null)) === word, { what: `banner "${word}"` });
}

/** The selected entry shows the diffs of the approved meeting change, line by line. */
async function expectApprovedDiff(page) {
  const lines = await page.$$eval('.drow-line', (els) => els.map((e) => e.textContent ?? ''));
  for (const want of ['Meeting on Monday.', 'Meeting moved to Tuesday.', 'Book the room', 'Send the agenda']) {
    assert.ok(lines.some((l) => l.includes(want)), `no diff line with "${want}" in ${JSON.stringify(lines)}`);
  }
  assert.match(await page.textContent('.preview-basis'), /before and after it was carried out/);
}

describe('history, undo and redo', () => {
  const env = suite({ workspace: 'countersign-history-', viewport: { width: 1280, height: 860 } });

  it('carries out an approval, undoes and redoes it on disk, and asks before overwriting later edits', async () => {
    const { backend, browser, workspace } = env;
    const base = backend.url;
    const notes = join(workspace, 'notes.md');
    const todoDir = join(workspace, 'todo');
    const todo = join(todoDir, 'today.md');
    // Not plain ASCII, CRLF line ends, no final newline: restored byte for byte.
    const original = Buffer.from('# Notes — café ☕\r\n\r\nMeeting on Monday.\r\nBring the budget.', 'utf8');
    writeFileSync(notes, original);
    const edited = '# Notes — café ☕\r\n\r\nMeeting moved to Tuesday.\r\nBring the budget.';
    const todoText = '- [ ] Book the room\n- [ ] Send the agenda\n';
    const p = await submit(base, {
      agent_id: 'claude-code@laptop',
      summary: 'Move the meeting to Tuesday and start a todo list',
      rationale: 'The user said the meeting moved.',
      workspace,
      actions: [
        { kind: 'file.edit', path: 'notes.md', edits: [{ old: 'Meeting on Monday.', new: 'Meeting moved to Tuesday.' }] },
        { kind: 'file.write', path: 'todo/today.md', content: todoText },
      ],
    });

    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(base);
    await page.waitForSelector(`#proposal-title:has-text("Move the meeting")`);
    await page.waitForSelector('.actions[data-preview="ready"]');

    // Approve with the keyboard; Countersign carries it out.
    await page.keyboard.press('a');
    await expectStatus(base, p.id, 'executed');
    assert.equal(readFileSync(notes, 'utf8'), edited);
    assert.equal(readFileSync(todo, 'utf8'), todoText);
    await page.waitForSelector('.last-decision:has-text("Approved and carried out")');

    // h opens the History; the entry is there, selected, executed.
    await page.keyboard.press('h');
    await page.waitForSelector('[role="tab"][aria-selected="true"]:has-text("History")');
    await page.waitForSelector(`[role="option"][aria-selected="true"]:has-text("Move the meeting")`);
    assert.equal(await selectedStatus(page), 'Executed');
    await expectBanner(page, 'Executed');
    const paths = await page.$$eval('.path-list li', (els) => els.map((e) => e.textContent));
    assert.deepEqual(paths.toSorted(), ['changednotes.md', 'createdtodo/today.md', 'folder createdtodo'].toSorted());
    // The diffs are the change as approved, from what was recorded when it was carried out.
    await page.waitForSelector('.actions[data-preview="ready"][data-basis="recorded"]');
    await expectApprovedDiff(page);
    await page.locator('#action-0').screenshot({ path: join(artifacts, 'history-diff-light.png') });
    await page.screenshot({ path: join(artifacts, 'history-diff-window-light.png') });
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(artifacts, `history-executed-${scheme}.png`) });
    }
    // Nothing spills sideways at the smallest size.
    await page.setViewportSize({ width: 800, height: 500 });
    await page.screenshot({ path: join(artifacts, 'history-small-dark.png') });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.emulateMedia({ colorScheme: 'light' });

    // u undoes: the files are as they were, byte for byte, and the folder
    // Countersign made is gone.
    await page.keyboard.press('u');
    await expectStatus(base, p.id, 'reverted');
    assert.ok(readFileSync(notes).equals(original), 'notes.md restored byte for byte');
    assert.equal(existsSync(todo), false);
    assert.equal(existsSync(todoDir), false);
    await expectBanner(page, 'Undone');
    await until(async () => (await selectedStatus(page)) === 'Undone', { what: 'row shows Undone' });
    await page.waitForSelector('.action-bar [role="status"]:has-text("Undone: Move the meeting")');

    // Shift+R redoes it.
    await page.keyboard.press('Shift+R');
    await expectStatus(base, p.id, 'executed');
    assert.equal(readFileSync(notes, 'utf8'), edited);
    assert.equal(readFileSync(todo, 'utf8'), todoText);
    await expectBanner(page, 'Executed');

    // Someone edits the file by hand; undo would overwrite that, so it asks.
    const byHand = `${edited}\r\nA line added by hand.`;
    writeFileSync(notes, byHand);
    await page.keyboard.press('u');
    const dialog = page.locator('[role="alertdialog"]');
    await dialog.waitFor();
    assert.equal(await dialog.locator('h2').textContent(), '1 file changed since Countersign carried this out');
    assert.match(await dialog.textContent(), /notes\.md/);
    const added = await dialog.locator('.ln-add').allTextContents();
    assert.ok(added.some((l) => l.includes('A line added by hand.')), `added lines: ${added}`);
    // Focus starts on Cancel, and nothing changed yet.
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Cancel Esc');
    assert.equal(readFileSync(notes, 'utf8'), byHand);
    assert.equal((await getProposal(base, p.id)).status, 'executed');
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(artifacts, `history-conflict-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // Esc cancels: the edit by hand stays.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(readFileSync(notes, 'utf8'), byHand);
    assert.equal((await getProposal(base, p.id)).status, 'executed');

    // Undo again and overwrite: the file is as it was before the approval.
    await page.keyboard.press('u');
    await dialog.waitFor();
    await dialog.locator('button:has-text("Overwrite these changes")').click();
    await expectStatus(base, p.id, 'reverted');
    await dialog.waitFor({ state: 'detached' });
    assert.ok(readFileSync(notes).equals(original), 'notes.md restored byte for byte after overwriting');
    assert.equal(existsSync(todo), false);
    await expectBanner(page, 'Undone');
    // Undone, and the file edited by hand in between: the preview is still what was approved.
    await page.waitForSelector('.actions[data-preview="ready"][data-basis="recorded"]');
    await expectApprovedDiff(page);

    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows a failed execution with its error, and nothing to undo', async () => {
    const { backend, browser, workspace } = env;
    const base = backend.url;
    const p = await submit(base, typoInMissingFile(workspace, 'codex-cli'));
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(base);
    await page.waitForSelector('#proposal-title:has-text("Fix a typo")');
    // The file is not there: no preview, so approving asks once more.
    await page.waitForSelector('.preview-error:has-text("does not exist")');
    await page.keyboard.press('a');
    await page.click('.confirm-approve .btn-danger');
    const failed = await expectStatus(base, p.id, 'failed');
    assert.equal(failed.decision.verdict, 'approve');
    await page.waitForSelector('.last-decision-failed:has-text("Approved, but it failed")');

    await page.click('[role="tab"]:has-text("History")');
    await page.waitForSelector('[role="option"][aria-selected="true"]:has-text("Fix a typo")');
    assert.equal(await selectedStatus(page), 'Failed');
    await expectBanner(page, 'Failed');
    assert.match(await page.textContent('.banner'), /could not be carried out: .*missing\.md/);
    assert.equal(await page.locator('.action-bar button:has-text("Undo")').isDisabled(), true);
    assert.equal(await page.locator('.action-bar button:has-text("Redo")').isDisabled(), true);
    await page.screenshot({ path: join(artifacts, 'history-failed.png') });
    // The older entry is below it; j moves there.
    await page.keyboard.press('j');
    await page.waitForSelector('[role="option"][aria-selected="true"]:has-text("Move the meeting")');
    await page.waitForSelector('#proposal-title:has-text("Move the meeting")');
    await expectBanner(page, 'Undone');
    await page.screenshot({ path: join(artifacts, 'history-list.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
