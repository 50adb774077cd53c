import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Budget, PendingRules, PolicyState, RuleView } from '../api';
import { Age } from '../components/Age';
import { DismissableError } from '../components/DismissableError';
import { ErrorBox } from '../components/ErrorBox';
import { Loading } from '../components/Loading';
import { formatFull, parseTime } from '../lib/time';
import { clip } from '../lib/truncate';
import { useRules, useStores } from '../stores';
import { budgetAgentLabel, budgetWords, byteWords } from '../stores/rules';

/** Characters of a rules file shown under "Show the file". */
const FILE_MAX = 20_000;

/** The Rules tab: the pause, a rules file to review, the rules, roles and budgets. */
export function RulesView() {
  const { rules } = useStores();
  const phase = useRules((s) => s.phase);
  const policy = useRules((s) => s.policy);
  const error = useRules((s) => s.error);
  const actionError = useRules((s) => s.actionError);
  const notice = useRules((s) => s.notice);

  useEffect(() => {
    void rules.getState().load();
  }, [rules]);

  let body;
  if (phase === 'error' && error && !policy) {
    body = (
      <div className="center">
        <ErrorBox title="Could not load the rules." error={error} onRetry={() => void rules.getState().load()} />
      </div>
    );
  } else if (!policy) {
    body = <Loading what="Loading rules…" />;
  } else {
    body = (
      <div className="rules-scroll">
        {actionError && <DismissableError message={actionError} onDismiss={() => rules.getState().dismissError()} />}
        <PauseSection paused={policy.paused} pausedAt={policy.paused_at} />
        {policy.problem && (
          <div className="rules-problem" role="alert">
            <strong>The rules are not applied.</strong> <span>{clip(policy.problem, 600)}</span>
          </div>
        )}
        {policy.pending && <PendingReview pending={policy.pending} />}
        <RuleList policy={policy} />
        <Roles policy={policy} />
        <Budgets budgets={policy.budgets} />
      </div>
    );
  }
  return (
    <div className="rules" aria-label="Rules">
      <div className="insights-bar">
        <h1 className="insights-title">Rules</h1>
        <span className="rules-notice muted" role="status">
          {notice}
        </span>
        <button type="button" className="btn btn-quiet" onClick={() => void rules.getState().load()}>
          Refresh
        </button>
      </div>
      {body}
    </div>
  );
}

function PauseSection({ paused, pausedAt }: { paused: boolean; pausedAt: string }) {
  const { rules } = useStores();
  const busy = useRules((s) => s.busy);
  return (
    <section className={`rules-panel rules-pause${paused ? ' rules-pause-on' : ''}`} aria-labelledby="pause-title">
      <div className="rules-pause-text">
        <h2 id="pause-title">{paused ? 'All agents are paused' : 'Agents are running'}</h2>
        <p className="muted">
          {paused ? (
            <>
              Since <Age at={pausedAt} />. New requests are refused and those waiting are held: they do not expire, and
              nothing can be approved until you resume.
            </>
          ) : (
            'Pausing stops every agent at once: new requests are refused, and those waiting are held until you resume.'
          )}
        </p>
      </div>
      <button
        type="button"
        role="switch"
        aria-checked={paused}
        className={`btn ${paused ? 'btn-primary' : 'btn-danger'}`}
        disabled={busy !== null}
        onClick={() => void rules.getState().setPaused(!paused)}
      >
        {busy === 'pause' ? 'Pausing…' : busy === 'resume' ? 'Resuming…' : paused ? 'Resume agents' : 'Pause all agents'}
      </button>
    </section>
  );
}

function PendingReview({ pending }: { pending: PendingRules }) {
  const { rules } = useStores();
  const busy = useRules((s) => s.busy);
  const text = pending.text.length > FILE_MAX ? `${pending.text.slice(0, FILE_MAX)}\n…` : pending.text;
  const nothing = pending.added.length === 0 && pending.removed.length === 0 && !pending.budgets_changed;
  return (
    <section className="rules-panel rules-pending" aria-labelledby="pending-title" role="region">
      <h2 id="pending-title">The rules file was changed outside Countersign</h2>
      <p className="muted">
        Nothing of it applies until you accept it here. If you did not make this change (an agent might have), reject it.
      </p>
      {pending.added.length > 0 && (
        <div>
          <h3>Rules it adds</h3>
          <ul className="rules-changes">
            {pending.added.map((r, i) => (
              <li key={i}>
                <span className="badge badge-added">added</span> {clip(r, 400)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {pending.removed.length > 0 && (
        <div>
          <h3>Rules it removes</h3>
          <ul className="rules-changes">
            {pending.removed.map((r, i) => (
              <li key={i}>
                <span className="badge badge-removed">removed</span> {clip(r, 400)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {pending.budgets_changed && <p>It also changes the agents' budgets.</p>}
      {nothing && !pending.error && <p>It changes no rule (only its layout or order).</p>}
      {pending.error && (
        <p className="rules-file-error" role="alert">
          <strong>It cannot be accepted:</strong> {clip(pending.error, 600)}
        </p>
      )}
      <details className="rules-raw">
        <summary>Show the file as it is now</summary>
        <pre>{text}</pre>
      </details>
      <div className="rules-actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy !== null || !!pending.error}
          onClick={() => void rules.getState().acceptFile()}
          title={pending.error ? 'This file cannot be applied as it is' : undefined}
        >
          {busy === 'accept' ? 'Accepting…' : 'Accept these rules'}
        </button>
        <button type="button" className="btn" disabled={busy !== null} onClick={() => void rules.getState().rejectFile()}>
          {busy === 'reject' ? 'Rejecting…' : 'Reject the change'}
        </button>
      </div>
    </section>
  );
}

function RuleList({ policy }: { policy: PolicyState }) {
  const own = policy.rules.filter((r) => !r.builtin);
  const builtin = policy.rules.filter((r) => r.builtin);
  return (
    <section className="rules-panel" aria-labelledby="rules-title">
      <h2 id="rules-title">Your rules</h2>
      {own.length === 0 ? (
        <div className="rules-empty">
          <p>
            <strong>No rules of your own yet: every request is asked.</strong>
          </p>
          <p className="muted">
            To make one, press <kbd>m</kbd> (Remember) while deciding a request, or apply a role to a workspace below.
          </p>
        </div>
      ) : (
        <ul className="rule-list">
          {own.map((r) => (
            <RuleItem key={r.id} rule={r} />
          ))}
        </ul>
      )}
      {policy.accepted_at && (
        <p className="muted rules-meta">
          Last saved <Age at={policy.accepted_at} />
          {policy.accepted_by && ` by ${clip(policy.accepted_by, 80)}`}.
        </p>
      )}
      <details className="rules-builtin">
        <summary>
          Built-in rules ({builtin.length}): places no agent may touch
        </summary>
        <ul className="rule-list">
          {builtin.map((r) => (
            <RuleItem key={r.id} rule={r} />
          ))}
        </ul>
      </details>
    </section>
  );
}

function RuleItem({ rule }: { rule: RuleView }) {
  const { rules } = useStores();
  const busy = useRules((s) => s.busy);
  const [confirming, setConfirming] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  const revokeButton = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    if (confirming) cancel.current?.focus();
  }, [confirming]);
  const inactive = rule.expired || rule.spent;
  const expires = parseTime(rule.expires_at);
  return (
    <li className={`rule${inactive ? ' rule-inactive' : ''}`} aria-labelledby={titleId}>
      <div className="rule-head">
        <span className={`badge badge-${rule.effect}`}>{rule.effect === 'allow' ? 'Allow' : 'Deny'}</span>
        <span id={titleId} className="rule-text">
          {clip(rule.description, 500)}
        </span>
      </div>
      <div className="rule-meta">
        {rule.builtin && <span className="badge">built in</span>}
        {rule.session && <span className="badge" title="Forgotten when Countersign quits">until Countersign quits</span>}
        {rule.once && <span className="badge">once</span>}
        {rule.spent && <span className="badge badge-off">used up</span>}
        {rule.expired && <span className="badge badge-off">expired</span>}
        <span className="muted">
          {rule.uses === 0 ? 'never used' : `used ${rule.uses === 1 ? 'once' : `${rule.uses.toLocaleString()} times`}`}
          {rule.last_used && (
            <>
              , last <Age at={rule.last_used} />
            </>
          )}
        </span>
        {(rule.created_by || rule.created_at) && (
          <span className="muted">
            · made{rule.created_by && ` by ${clip(rule.created_by, 80)}`}
            {rule.created_at && (
              <>
                {' '}
                <Age at={rule.created_at} />
              </>
            )}
          </span>
        )}
        {expires !== undefined && !rule.expired && (
          <span className="muted" title={formatFull(expires)}>
            · until {new Date(expires).toLocaleString()}
          </span>
        )}
        {!rule.builtin && !confirming && (
          <button
            type="button"
            ref={revokeButton}
            className="btn btn-small rule-revoke"
            disabled={busy !== null}
            onClick={() => setConfirming(true)}
            aria-describedby={titleId}
          >
            Revoke…
          </button>
        )}
      </div>
      {confirming && (
        <div className="rule-confirm" role="alertdialog" aria-labelledby={`${titleId}-q`}>
          <span id={`${titleId}-q`}>Revoke this rule? Requests it decided will be asked again.</span>
          <button
            type="button"
            className="btn btn-small btn-danger"
            disabled={busy !== null}
            onClick={() => void rules.getState().revoke(rule.id).then(() => setConfirming(false))}
          >
            {busy === `revoke:${rule.id}` ? 'Revoking…' : 'Revoke'}
          </button>
          <button
            type="button"
            ref={cancel}
            className="btn btn-small"
            onClick={() => {
              setConfirming(false);
              requestAnimationFrame(() => revokeButton.current?.focus());
            }}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                setConfirming(false);
              }
            }}
          >
            Cancel
          </button>
        </div>
      )}
    </li>
  );
}

function Roles({ policy }: { policy: PolicyState }) {
  const { rules } = useStores();
  const busy = useRules((s) => s.busy);
  const [role, setRole] = useState(policy.roles[0]?.role ?? '');
  const [workspace, setWorkspace] = useState('');
  const id = useId();
  function submit(e: FormEvent) {
    e.preventDefault();
    if (role) void rules.getState().applyRole(role, workspace);
  }
  return (
    <section className="rules-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Roles</h2>
      <p className="muted">A role is a ready-made set of rules for one workspace folder. Applying it again replaces that folder's role.</p>
      <form onSubmit={submit}>
        <fieldset className="roles">
          <legend className="sr-only">Role</legend>
          {policy.roles.map((r) => (
            <label key={r.role} className={`role${role === r.role ? ' role-on' : ''}`}>
              <input type="radio" name={`${id}-role`} value={r.role} checked={role === r.role} onChange={() => setRole(r.role)} />
              <span>
                <strong>{r.name}</strong>
                <span className="muted role-text">{r.description}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="rules-form-row">
          <label htmlFor={`${id}-ws`}>Workspace folder</label>
          <input
            id={`${id}-ws`}
            className="rules-input rules-input-wide"
            value={workspace}
            placeholder="/home/you/projects/site"
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setWorkspace(e.target.value)}
          />
          <button type="submit" className="btn" disabled={busy !== null || !role || workspace.trim() === ''}>
            {busy === 'role' ? 'Applying…' : 'Apply role'}
          </button>
        </div>
      </form>
    </section>
  );
}

const NO_BUDGET: Budget = { writes: 0, deletes: 0, bytes: 0 };

function Budgets({ budgets }: { budgets: Record<string, Budget> }) {
  const { rules } = useStores();
  const busy = useRules((s) => s.busy);
  const [agent, setAgent] = useState('');
  const [form, setForm] = useState({ writes: '', deletes: '', bytes: '' });
  const agentRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const agents = Object.keys(budgets).sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  const toNum = (v: string) => {
    const n = Number(v.trim());
    return Number.isInteger(n) && n > 0 ? n : 0;
  };
  const bad = (['writes', 'deletes', 'bytes'] as const).some((k) => {
    const v = form[k].trim();
    return v !== '' && !(Number.isInteger(Number(v)) && Number(v) >= 0);
  });
  function edit(name: string) {
    const b = budgets[name] ?? NO_BUDGET;
    setAgent(name);
    setForm({ writes: b.writes ? String(b.writes) : '', deletes: b.deletes ? String(b.deletes) : '', bytes: b.bytes ? String(b.bytes) : '' });
    agentRef.current?.focus();
  }
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (bad) return;
    await rules.getState().setBudget(agent, { writes: toNum(form.writes), deletes: toNum(form.deletes), bytes: toNum(form.bytes) });
    if (!rules.getState().actionError) {
      setAgent('');
      setForm({ writes: '', deletes: '', bytes: '' });
    }
  }
  const field = (k: 'writes' | 'deletes' | 'bytes', label: string) => (
    <label className="budget-field">
      <span>{label}</span>
      <input
        className="rules-input rules-input-num"
        inputMode="numeric"
        value={form[k]}
        placeholder="no limit"
        onChange={(e) => setForm({ ...form, [k]: e.target.value })}
      />
    </label>
  );
  return (
    <section className="rules-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Hourly budgets</h2>
      <p className="muted">
        Over its budget, an agent's requests are asked even where a rule would allow them. Empty means no limit.
      </p>
      {agents.length === 0 ? (
        <p className="muted">No budgets: rules alone decide.</p>
      ) : (
        <table className="insights-table budgets-table">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col" className="num">Writes</th>
              <th scope="col" className="num">Deletes</th>
              <th scope="col" className="num">Bytes</th>
              <th scope="col">
                <span className="sr-only">Change</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => {
              const b = budgets[a] ?? NO_BUDGET;
              return (
                <tr key={a}>
                  <th scope="row">{budgetAgentLabel(a)}</th>
                  <td className="num">{b.writes || '—'}</td>
                  <td className="num">{b.deletes || '—'}</td>
                  <td className="num" title={budgetWords(b)}>{b.bytes ? byteWords(b.bytes) : '—'}</td>
                  <td className="budget-buttons">
                    <button type="button" className="btn btn-small" disabled={busy !== null} onClick={() => edit(a)} aria-label={`Edit the budget of ${budgetAgentLabel(a)}`}>
                      Edit
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={busy !== null}
                      onClick={() => void rules.getState().setBudget(a, NO_BUDGET)}
                      aria-label={`Remove the budget of ${budgetAgentLabel(a)}`}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <form className="rules-form-row budget-form" onSubmit={(e) => void submit(e)} aria-label="Set a budget">
        <label className="budget-field">
          <span>Agent</span>
          <input
            ref={agentRef}
            className="rules-input"
            value={agent}
            placeholder="every other agent"
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setAgent(e.target.value)}
          />
        </label>
        {field('writes', 'Writes')}
        {field('deletes', 'Deletes')}
        {field('bytes', 'Bytes')}
        <button type="submit" className="btn" disabled={busy !== null || bad}>
          {busy === 'budget' ? 'Saving…' : 'Set budget'}
        </button>
        {bad && <span className="rules-file-error">Use whole numbers, or leave empty for no limit.</span>}
      </form>
    </section>
  );
}
