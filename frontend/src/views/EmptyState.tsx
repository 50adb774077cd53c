import { LastDecision } from './StatusLine';

export function EmptyState() {
  return (
    <div className="empty-state" role="status">
      <svg viewBox="0 0 48 48" width="48" height="48" aria-hidden="true" focusable="false">
        <rect x="6" y="6" width="36" height="36" rx="10" fill="none" stroke="currentColor" strokeWidth="2.5" />
        <path d="M15 24.5l6 6 12-13" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <h2>No requests waiting</h2>
      <p>When an agent asks to change your files, run a command or send data out, the request appears here for you to review.</p>
      <LastDecision />
    </div>
  );
}
