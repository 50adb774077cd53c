// Relative times for the queue ("2 min ago") and expiry countdowns.

/** Parses an RFC 3339 time; undefined for empty, invalid or Go's zero time. */
export function parseTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return undefined;
  // Go's zero time.Time is year 1: "no time set".
  if (ms < Date.UTC(1971, 0, 1)) return undefined;
  return ms;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** "just now", "1 min ago", "3 h ago", "2 days ago", then a date. */
export function formatAge(thenMs: number | undefined, nowMs: number): string {
  if (thenMs === undefined) return '';
  const d = Math.max(0, nowMs - thenMs);
  if (d < 45_000) return 'just now';
  if (d < HOUR) return `${Math.max(1, Math.round(d / MIN))} min ago`;
  if (d < DAY) return `${Math.floor(d / HOUR)} h ago`;
  if (d < 30 * DAY) {
    const days = Math.floor(d / DAY);
    return days === 1 ? '1 day ago' : `${days} days ago`;
  }
  return new Date(thenMs).toLocaleDateString();
}

/** "4 min 12 s", "2 h 5 min", "3 days 4 h": a positive duration, compactly. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  const days = Math.floor(h / 24);
  return `${days} ${days === 1 ? 'day' : 'days'} ${h % 24} h`;
}

export interface Expiry {
  /** What to show: "expires in 4 min 12 s", "expired", "never expires". */
  text: string;
  /** Less than five minutes left, or already past. */
  urgent: boolean;
  expired: boolean;
}

export function formatExpiry(expiresMs: number | undefined, nowMs: number): Expiry {
  if (expiresMs === undefined) return { text: 'never expires', urgent: false, expired: false };
  const left = expiresMs - nowMs;
  if (left <= 0) return { text: 'expired', urgent: true, expired: true };
  return { text: `expires in ${formatDuration(left)}`, urgent: left < 5 * MIN, expired: false };
}

/** A full local date and time, for tooltips. */
export function formatFull(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toLocaleString();
}
