// Realistic proposals for the end-to-end specs and screenshots, one of each
// kind of action, submitted through the test bridge's /__test/submit.
import { until } from './harness.mjs';

export const samples = [
  {
    agent_id: 'claude-code@laptop',
    summary: 'Add a usage section to README.md',
    rationale: 'The user asked for install and usage instructions. This adds a short section after the introduction.',
    workspace: '/home/alex/projects/countersign',
    actions: [
      {
        kind: 'file.edit',
        path: 'README.md',
        edits: [
          {
            old: '## Install\n\nSee the releases page.\n',
            new: '## Install\n\nDownload the latest release for your platform.\n\n## Usage\n\nStart the app, then point your agent at it:\n\n    countersign hook install\n',
          },
        ],
      },
    ],
  },
  {
    agent_id: 'cowork-desktop',
    summary: 'Update Q3 budget: marketing line and totals',
    rationale: 'Marketing spend for September came in at 12,400. Totals are recomputed with a formula.',
    workspace: '/home/alex/Documents/finance',
    actions: [
      {
        kind: 'sheet.update',
        path: 'budget-2025.xlsx',
        cells: [
          { sheet: 'Q3', cell: 'C7', value: '12400' },
          { sheet: 'Q3', cell: 'C12', formula: 'SUM(C2:C11)' },
          { sheet: 'Summary', cell: 'B4', formula: "'Q3'!C12" },
        ],
      },
    ],
  },
  {
    agent_id: 'codex-cli',
    summary: 'Run the test suite and regenerate snapshots',
    workspace: '/home/alex/projects/webshop',
    actions: [
      {
        kind: 'command.run',
        argv: ['npm', 'run', 'test', '--', '--update-snapshots', 'src/cart tests/e2e'],
        dir: 'frontend',
        timeout_sec: 300,
        writes: ['frontend/src/__snapshots__/'],
      },
    ],
  },
  {
    agent_id: 'claude-code@laptop',
    summary: 'Clean up build logs and move the old changelog',
    workspace: '/home/alex/projects/countersign',
    actions: [
      { kind: 'file.delete', path: 'tmp/build-2025-06-01.log' },
      { kind: 'file.move', path: 'CHANGELOG.old.md', to: 'docs/history/CHANGELOG-2024.md' },
      { kind: 'dir.create', path: 'docs/history' },
    ],
  },
  {
    agent_id: 'research-agent',
    summary: 'Upload the meeting notes to the team wiki',
    rationale: 'You asked to share the notes from Monday with the team.',
    actions: [
      {
        kind: 'net.request',
        method: 'POST',
        url: 'https://wiki.example.com/api/pages/team-notes',
        body: '{\n  "title": "Monday sync",\n  "content": "Attendees: Alex, Sam, Priya\\nDecisions: ship 0.3 on Friday"\n}',
      },
    ],
  },
  {
    agent_id: 'mcp:notion',
    summary: 'Create a page "Trip ideas" in the Personal workspace',
    actions: [
      {
        kind: 'tool.call',
        tool: 'mcp__notion__create_page',
        input: { parent: { workspace: 'Personal' }, title: 'Trip ideas', children: [{ type: 'bullet', text: 'Lisbon in spring' }] },
      },
    ],
  },
  {
    agent_id: 'claude-code@laptop',
    summary: 'Write notes.txt with the summary of today\u2019s session',
    workspace: '/home/alex/projects/countersign',
    actions: [
      {
        kind: 'file.write',
        path: 'notes/2025-06-02.txt',
        content: 'Session summary\n\n- Fixed the flaky queue test\n- Added risk reasons to the detail pane\n- Next: rich diff preview\n',
      },
    ],
  },
];

/** An edit of a file that is not in the workspace: it has no preview, and carrying it out fails. */
export function typoInMissingFile(workspace, agent_id = 'claude-code') {
  return {
    agent_id,
    summary: 'Fix a typo in a file that is not there',
    workspace,
    actions: [{ kind: 'file.edit', path: 'missing.md', edits: [{ old: 'recieve', new: 'receive' }] }],
  };
}

/** Submits one proposal through the bridge; returns the created proposal. */
export async function submit(base, body) {
  const res = await fetch(`${base}/__test/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`submit: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Reads a proposal back (status and decision included). */
export async function getProposal(base, id) {
  const res = await fetch(`${base}/__test/proposal/${encodeURIComponent(id)}`);
  if (!res.ok) throw new Error(`proposal ${id}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Waits until the proposal has the status; returns it. */
export async function expectStatus(base, id, status, { timeoutMs = 10_000 } = {}) {
  return until(
    async () => {
      const p = await getProposal(base, id);
      return p.status === status ? p : null;
    },
    { what: `${id} ${status}`, timeoutMs },
  );
}
