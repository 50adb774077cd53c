// End to end: a decision remembered as a rule decides the next request like
// it (which never waits in the queue, and the History says a rule decided
// it); the rule shows in the Rules tab with its use, and once revoked the
// same request waits again. Pausing from the Rules tab refuses new requests
// and shows the banner on every view until resumed. Same harness as
// queue.spec.mjs: the built UI in Chromium against the e2e backend.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectStatus, getProposal, submit } from './fixtures.mjs';
import { artifactsDir as defaultArtifacts, until, watchErrors } from './harness.mjs';
import { suite } from './suite.mjs';

const artifacts = process.env.COUNTERSIGN_ARTIFACTS || defaultArtifacts;
mkdirSync(artifacts, { recursive: true });

const AGENT = 'claude-code@laptop';

function writeNotes(workspace, summary, content) {
  return { agent_id: AGENT, summary, workspace, actions: [{ kind: 'file.write', path: 'notes.md', content }] };
}

describe('rules', () => {
  const env = suite({ workspace: 'countersign-rules-', viewport: { width: 1280, height: 860 } });

  it('remembers a decision, decides the next request by it, revokes it, and pauses every agent', async () => {
    const { backend, browser, workspace } = env;
    const base = backend.url;
    const notes = join(workspace, 'notes.md');

    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.emulateMedia({ colorScheme: 'light' });
    const first = await submit(base, writeNotes(workspace, 'Start the notes file', 'one\n'));
    await page.goto(base);
    await page.waitForSelector('#proposal-title:has-text("Start the notes file")');
    await page.waitForSelector('.actions[data-preview="ready"]');

    // m opens Remember: this file by default; choose until revoked.
    await page.keyboard.press('m');
    const scope = page.getByRole('combobox', { name: 'What the rule covers' });
    await scope.waitFor();
    assert.equal(await scope.inputValue(), 'this-file');
    // This request runs no command: that scope is offered, but disabled.
    assert.equal(await page.locator('#remember-row option[value="this-command-prefix"]').isDisabled(), true);
    await page.getByRole('combobox', { name: 'How long the rule lasts' }).selectOption('until-revoked');
    await page.waitForSelector('.remember-rule:has-text("notes.md")');
    await page.waitForSelector('.remember-matches:has-text("would not have decided any")');
    await page.screenshot({ path: join(artifacts, 'rules-remember-light.png') });

    await page.getByRole('button', { name: /^Approve/ }).click();
    await expectStatus(base, first.id, 'executed');
    await page.waitForSelector('.last-decision:has-text("Rule saved")');
    assert.equal(readFileSync(notes, 'utf8'), 'one\n');

    // The same kind of change to the same file is decided by the rule: it
    // never waits in the queue.
    const second = await submit(base, writeNotes(workspace, 'Add a second line to the notes', 'one\ntwo\n'));
    assert.notEqual(second.status, 'pending', 'decided when submitted');
    const done = await expectStatus(base, second.id, 'executed');
    assert.match(done.decision.decided_by, /^rule:/);
    assert.equal(readFileSync(notes, 'utf8'), 'one\ntwo\n');
    assert.equal(await page.locator('[role="option"]:has-text("Add a second line")').count(), 0);

    // The History says a rule decided it, not a person.
    await page.keyboard.press('h');
    await page.waitForSelector('[role="tab"][aria-selected="true"]:has-text("History")');
    await page.locator('[role="option"]:has-text("Add a second line")').click();
    await page.waitForSelector('#proposal-title:has-text("Add a second line")');
    await page.waitForSelector('.proposal .badge-rule:has-text("Decided by a rule")');

    // The Rules tab shows it, used once.
    await page.keyboard.press('r');
    await page.waitForSelector('[role="tab"][aria-selected="true"]:has-text("Rules")');
    const mine = page.locator('.rule:has-text("notes.md")');
    await mine.waitFor();
    assert.match(await mine.locator('.rule-text').textContent(), /^Let claude-code@laptop .*notes\.md without asking/);
    assert.equal(await mine.locator('.badge-allow').textContent(), 'Allow');
    await mine.locator('.rule-meta:has-text("used once")').waitFor();
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(artifacts, `rules-tab-${scheme}.png`), fullPage: true });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // Revoke, with a confirmation; focus starts on Cancel.
    await mine.getByRole('button', { name: 'Revoke…' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel');
    await mine.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.waitForSelector('text=No rules of your own yet: every request is asked.');

    // Now the same request waits for the person again.
    const third = await submit(base, writeNotes(workspace, 'Add a third line to the notes', 'one\ntwo\nthree\n'));
    assert.equal(third.status, 'pending');
    await page.keyboard.press('r');
    await page.waitForSelector('#proposal-title:has-text("Add a third line")');

    // Pause every agent from the Rules tab: a new request is refused, the
    // banner shows on every view, and Approve is disabled.
    await page.keyboard.press('r');
    await page.getByRole('switch', { name: 'Pause all agents' }).click();
    await page.waitForSelector('.paused-banner:has-text("All agents are paused.")');
    await page.waitForSelector('[role="switch"][aria-checked="true"]');
    const fourth = await submit(base, writeNotes(workspace, 'Write while paused', 'paused\n'));
    const refused = await expectStatus(base, fourth.id, 'denied');
    assert.equal(refused.decision.decided_by, 'rule:pause');
    assert.equal((await getProposal(base, third.id)).status, 'pending', 'the waiting request is held');
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(artifacts, `rules-paused-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.keyboard.press('r');
    await page.waitForSelector('#proposal-title:has-text("Add a third line")');
    assert.equal(await page.getByRole('button', { name: /^Approve/ }).isDisabled(), true);
    await page.waitForSelector('.paused-banner');
    await page.screenshot({ path: join(artifacts, 'rules-paused-queue-light.png') });

    // Resume from the banner: the banner goes, Approve works again.
    await page.locator('.paused-banner').getByRole('button', { name: 'Resume agents' }).click();
    await until(async () => (await page.locator('.paused-banner').count()) === 0, { what: 'banner gone' });
    await until(async () => !(await page.getByRole('button', { name: /^Approve/ }).isDisabled()), { what: 'Approve enabled' });
    assert.equal(readFileSync(notes, 'utf8'), 'one\ntwo\n');

    assert.deepEqual(errors, []);
    await page.close();
  });
});
