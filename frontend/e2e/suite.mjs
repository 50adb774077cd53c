// The setup every browser spec shares: for one describe block, a workspace
// under the temporary folder (where the backend may change files), the
// backend and Chromium, all started before its tests and removed after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { launchBrowser, startBackend } from './harness.mjs';

/**
 * Registers the block's before and after hooks. workspace is the prefix of
 * the workspace folder's name (none when absent); args go to the backend,
 * viewport to the browser. Returns { backend, browser, workspace }, filled
 * in once the before hook has run.
 */
export function suite({ workspace, args = [], viewport } = {}) {
  const env = { backend: null, browser: null, workspace: null };
  before(async () => {
    if (workspace) env.workspace = mkdtempSync(join(tmpdir(), workspace));
    env.backend = await startBackend({ args });
    env.browser = await launchBrowser(viewport ? { viewport } : {});
  });
  after(async () => {
    await env.browser?.close();
    await env.backend?.stop();
    if (env.workspace) rmSync(env.workspace, { recursive: true, force: true });
  });
  return env;
}
