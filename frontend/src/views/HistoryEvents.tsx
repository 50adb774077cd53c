import { Age } from '../components/Age';
import { useHistoryEvents } from '../stores';

/** What happened to the entry, oldest first, as a small vertical timeline. */
export function HistoryEvents() {
  const events = useHistoryEvents((s) => s.events);
  const error = useHistoryEvents((s) => s.error);
  if (error) return <p className="muted">Could not read what happened to this entry: {error.message}</p>;
  if (events.length === 0) return null;
  return (
    <section className="event-timeline" aria-labelledby="events-title">
      <h2 id="events-title">What happened</h2>
      <ol>
        {events.map((e) => (
          <li key={e.id} className={`event event-${e.type.replace(/[^a-z]/g, '-')}`}>
            <span className="event-dot" aria-hidden="true" />
            <span className="event-what">{e.description}</span>{' '}
            <span className="muted" title={new Date(e.at).toLocaleString()}>
              {new Date(e.at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })} · <Age at={e.at} />
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
