import { useNow } from '../lib/clock';
import { formatAge, formatFull, parseTime } from '../lib/time';

export const AGE_REFRESH_MS = 30_000;

/** "2 min ago", kept current. */
export function Age({ at }: { at: string }) {
  const now = useNow(AGE_REFRESH_MS);
  const ms = parseTime(at);
  if (ms === undefined) return null;
  return (
    <time className="age" dateTime={at} title={formatFull(ms)}>
      {formatAge(ms, now)}
    </time>
  );
}
