import type { ApiError } from '../api';

/** An inline error with a way to try again. */
export function ErrorBox({ title, error, onRetry }: { title: string; error: ApiError; onRetry?: () => void }) {
  return (
    <div className="error-box" role="alert">
      <p>
        <strong>{title}</strong>
        <span className="error-detail">{error.message || error.code}</span>
      </p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** Under a list: a later page could not be loaded. */
export function MoreError({ title, error, onRetry }: { title: string; error: ApiError; onRetry(): void }) {
  return (
    <div className="queue-footer">
      <ErrorBox title={title} error={error} onRetry={onRetry} />
    </div>
  );
}
