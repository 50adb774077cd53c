/** Why the last thing asked for did not happen, until dismissed (✕ or Esc). */
export function DismissableError({ message, onDismiss }: { message: string; onDismiss(): void }) {
  return (
    <div className="decision-error" role="alert">
      <span>{message}</span>
      <button type="button" className="btn btn-quiet" onClick={onDismiss} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}
