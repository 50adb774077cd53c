import { useInfo, useQueue, useUI } from '../stores';

export function Header() {
  const info = useInfo((s) => s.info);
  const phase = useQueue((s) => s.phase);
  const total = useQueue((s) => s.model.total);
  const toggleHelp = useUI((s) => s.toggleHelp);
  const pending = phase === 'ready' ? total : info?.pending;
  return (
    <header className="app-header">
      <div className="brand">
        <svg className="brand-mark" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
          <rect x="1.5" y="1.5" width="17" height="17" rx="4.5" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M6 10.4l2.7 2.7L14.2 7" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <span className="brand-name">Countersign</span>
      </div>
      {pending !== undefined && (
        <span className="pending-count">
          <strong>{pending.toLocaleString()}</strong> pending
        </span>
      )}
      {info?.demo && (
        <span className="demo-badge" title="Demo mode: requests are samples and nothing runs on your files">
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
