import { useNow } from '../lib/clock';
import { formatExpiry, formatFull, parseTime } from '../lib/time';

/** "expires in 4 min 12 s", ticking every second. */
export function Countdown({ at }: { at: string }) {
  const ms = parseTime(at);
  if (ms === undefined) return <span className="expiry">never expires</span>;
  return <Ticking ms={ms} at={at} />;
}

function Ticking({ ms, at }: { ms: number; at: string }) {
  const now = useNow(1000);
  const e = formatExpiry(ms, now);
  return (
    <time className={`expiry${e.urgent ? ' expiry-urgent' : ''}`} dateTime={at} title={`Expires ${formatFull(ms)}`}>
      {e.text}
    </time>
  );
}
