import { Fragment } from 'react';
import { revealParts } from '../lib/visible';

/** Text with each hidden character drawn as a marked-up ⟨U+XXXX⟩ chip. */
export function Revealed({ text, inline = false }: { text: string; inline?: boolean }) {
  const parts = revealParts(text, inline);
  if (parts.length === 1 && typeof parts[0] === 'string') return <>{parts[0]}</>;
  return (
    <>
      {parts.map((p, i) =>
        typeof p === 'string' ? (
          <Fragment key={i}>{p}</Fragment>
        ) : (
          <span key={i} className="hidden-char" title={`Hidden character ${p.code}`}>
            {p.code}
          </span>
        ),
      )}
    </>
  );
}
