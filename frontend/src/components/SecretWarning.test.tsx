import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { StoresContext, createStores } from '../stores';
import { FakeBackend, flush } from '../test/fakeBackend';
import { SecretWarning } from './SecretWarning';

async function mount(backend: FakeBackend) {
  const stores = createStores(backend);
  await stores.queue.getState().start();
  render(
    <StoresContext.Provider value={stores}>
      <SecretWarning />
    </StoresContext.Provider>,
  );
  await act(flush);
  return stores;
}

describe('SecretWarning', () => {
  it('names each secret, where it is and what the action does with it', async () => {
    const backend = new FakeBackend(2);
    backend.actions.set('p0', [
      { kind: 'file.write', path: '.env', content: 'x' },
      { kind: 'command.run', argv: ['git', 'clone', 'https://u:p@h/r'] },
    ]);
    backend.secretScans.set('p0', {
      findings: [
        { action: 0, field: 'content', line: 2, rule_id: 'aws-access-token', description: 'an AWS access key' },
        { action: 1, field: 'command line', line: 1, rule_id: 'url-password', description: 'a password in a URL' },
        { action: -1, field: 'summary', line: 1, rule_id: 'email-address', description: 'an email address' },
      ],
      truncated: false,
    });
    await mount(backend);
    expect(screen.getByRole('heading').textContent).toBe('This request contains 3 secrets or pieces of personal data');
    const items = screen.getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual([
      'Action 1 writes an AWS access key (content, line 2).',
      'Action 2 runs a command with a password in a URL (command line, line 1).',
      'The summary mentions an email address (line 1).',
    ]);
  });

  it('shows nothing when nothing was found, and follows the selection', async () => {
    const backend = new FakeBackend(2);
    backend.secretScans.set('p1', {
      findings: [{ action: 0, field: 'content', line: 1, rule_id: 'private-key', description: 'a private key' }],
      truncated: false,
    });
    const stores = await mount(backend);
    expect(screen.queryByRole('heading')).toBeNull();
    await act(async () => {
      stores.queue.getState().move(1);
      await flush();
    });
    expect(screen.getByRole('heading').textContent).toBe('This request contains a secret');
    expect(backend.calls).toContain('secrets p1');
  });

  it('says when it could not check, rather than that nothing was found', async () => {
    const backend = new FakeBackend(1);
    backend.failSecrets = new ApiError('internal', 'scanner failed');
    await mount(backend);
    expect(screen.getByRole('note').textContent).toMatch(/Could not check this request for secrets: scanner failed/);
  });
});
