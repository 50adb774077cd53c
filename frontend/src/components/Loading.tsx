/** A whole view on its way: a spinner and what is loading. */
export function Loading({ what }: { what: string }) {
  return (
    <div className="center" role="status">
      <span className="spinner" aria-hidden="true" /> {what}
    </div>
  );
}
