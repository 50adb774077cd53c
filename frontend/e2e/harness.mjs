// Shared plumbing for the browser specs and the bench: start the test-only
// backend (real Go code, serving the built frontend over an HTTP bridge) and
// Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const frontendDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const artifactsDir = join(frontendDir, 'e2e', 'artifacts');

/** The e2e binary: $COUNTERSIGN_E2E_BIN, else ../build/bin/countersign-e2e. */
export function backendBinary() {
  const bin = process.env.COUNTERSIGN_E2E_BIN
    ? resolve(process.env.COUNTERSIGN_E2E_BIN)
    : resolve(frontendDir, '..', 'build', 'bin', 'countersign-e2e');
  if (!existsSync(bin)) {
    throw new Error(`e2e backend not found at ${bin}: build it (make build/bin/countersign-e2e) or set COUNTERSIGN_E2E_BIN`);
  }
  return bin;
}

/**
 * Starts the backend with a fresh data dir and waits for its URL. args are
 * extra flags (e.g. ['--demo']). Countersign may change files under the
 * system's temporary folder, where the specs make their workspaces (its own
 * data dir there stays protected), so approved proposals are carried out.
 * Returns { url, dataDir, stop }.
 */
export async function startBackend({ timeoutMs = 30_000, args = [] } = {}) {
  const bin = backendBinary();
  const dataDir = mkdtempSync(join(tmpdir(), 'countersign-e2e-'));
  const child = spawn(bin, ['--data-dir', dataDir, '--bridge', '127.0.0.1:0', '--root', tmpdir(), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
  });
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`backend did not print its URL in ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/bridge listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`backend exited (${code}) before listening\n${stderr}`));
    });
  });
  child.stdout.resume();
  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { url, dataDir, stop, stderr: () => stderr };
}

/**
 * Debian's Chromium, headless, with a throwaway profile (Playwright's own
 * browser download is not used). Returns { context, close }: a persistent
 * context, since the profile directory is ours.
 */
export async function launchBrowser({ viewport = { width: 1100, height: 720 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'countersign-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  async function close() {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return { context, close };
}

/** Polls fn until it returns a truthy value or the deadline passes. */
export async function until(fn, { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Collects the page's uncaught errors and console errors; a spec ends expecting none. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
