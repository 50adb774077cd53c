import { useRef, type KeyboardEvent } from 'react';
import { useInfo, useQueue, useUI } from '../stores';
import { VIEWS, type View } from '../stores/ui';

export const VIEW_PANEL_ID = 'view-panel';

export function tabId(view: View): string {
  return `tab-${view}`;
}

export function Header() {
  const info = useInfo((s) => s.info);
  const phase = useQueue((s) => s.phase);
  const total = useQueue((s) => s.model.total);
  const toggleHelp = useUI((s) => s.toggleHelp);
  const view = useUI((s) => s.view);
  const setView = useUI((s) => s.setView);
  const pending = phase === 'ready' ? total : info?.pending;
  const tabs = useRef<HTMLDivElement>(null);

  // The tabs pattern: arrows, Home and End move between the tabs.
  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const at = VIEWS.indexOf(view);
    const n = VIEWS.length;
    const to: View | undefined =
      e.key === 'ArrowLeft'
        ? VIEWS[(at + n - 1) % n]
        : e.key === 'ArrowRight'
          ? VIEWS[(at + 1) % n]
          : e.key === 'Home'
            ? VIEWS[0]
            : e.key === 'End'
              ? VIEWS[n - 1]
              : undefined;
    if (!to) return;
    e.preventDefault();
    setView(to);
    tabs.current?.querySelector<HTMLElement>(`#${tabId(to)}`)?.focus();
  }

  const tab = (v: View) => ({
    id: tabId(v),
    role: 'tab',
    type: 'button' as const,
    className: `view-tab${view === v ? ' view-tab-on' : ''}`,
    'aria-selected': view === v,
    'aria-controls': VIEW_PANEL_ID,
    'aria-keyshortcuts': v === 'insights' ? 'i' : v === 'rules' ? 'r' : 'h',
    tabIndex: view === v ? 0 : -1,
    onClick: () => setView(v),
  });
  return (
    <header className="app-header">
      <div className="brand">
        <svg className="brand-mark" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
          <rect x="1.5" y="1.5" width="17" height="17" rx="4.5" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M6 10.4l2.7 2.7L14.2 7" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <span className="brand-name">Countersign</span>
      </div>
      <div className="view-tabs" role="tablist" aria-label="Views" ref={tabs} onKeyDown={onKeyDown}>
        <button {...tab('queue')}>
          Requests
          {pending !== undefined && (
            <span className="pending-count">
              <strong>{pending.toLocaleString()}</strong>
              <span className="sr-only"> pending</span>
            </span>
          )}
        </button>
        <button {...tab('history')}>History</button>
        <button {...tab('insights')}>Insights</button>
        <button {...tab('rules')}>Rules</button>
      </div>
      {info?.demo && (
        <span className="demo-badge" title="Demo mode: a sample agent makes the requests, and approving them changes only sample files in a demo folder beside the data folder">
          Demo
        </span>
      )}
      <div className="header-spacer" />
      {info?.user && (
        <span className="header-user" title={`Deciding as ${info.user}`}>
          {info.user}
        </span>
      )}
      <button type="button" className="btn btn-quiet help-button" onClick={toggleHelp} aria-keyshortcuts="?" title="Keyboard shortcuts (?)">
        <kbd>?</kbd>
        <span className="sr-only">Keyboard shortcuts</span>
      </button>
    </header>
  );
}
