import { useEffect } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { INSIGHT_SERIES, type Insights, type NamedCount } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Loading } from '../components/Loading';
import { clipText, dayRows, decisionTime, isEmpty, SERIES_STYLE, share, STACKS } from '../lib/insightsModel';
import { formatDuration, formatFull, parseTime } from '../lib/time';
import { useInsights, useStores } from '../stores';
import { INSIGHT_RANGES } from '../stores/insights';

/** Characters of a denial reason shown; the backend has redacted or clipped it already. */
const REASON_MAX = 200;

/** The Insights tab: what agents asked for and what became of it, over the last days. */
export function InsightsView() {
  const stores = useStores();
  const phase = useInsights((s) => s.phase);
  const data = useInsights((s) => s.data);
  const error = useInsights((s) => s.error);
  const days = useInsights((s) => s.days);

  useEffect(() => {
    void stores.insights.getState().load();
  }, [stores]);

  const load = (d?: number) => void stores.insights.getState().load(d);
  let body;
  if (phase === 'error' && error) {
    body = (
      <div className="center">
        <ErrorBox title="Could not load the insights." error={error} onRetry={() => load()} />
      </div>
    );
  } else if (!data || phase === 'loading' || phase === 'idle') {
    body = <Loading what="Loading insights…" />;
  } else if (isEmpty(data)) {
    body = (
      <div className="center insights-empty">
        <p>
          <strong>Nothing to show yet.</strong>
        </p>
        <p className="muted">No agent has proposed anything in the last {days} days.</p>
      </div>
    );
  } else {
    body = <Figures data={data} />;
  }
  return (
    <div className="insights" aria-label="Insights">
      <div className="insights-bar">
        <h1 className="insights-title">Insights</h1>
        <div className="insights-ranges" role="group" aria-label="Range">
          {INSIGHT_RANGES.map((d) => (
            <button
              key={d}
              type="button"
              className={`btn btn-quiet${d === days ? ' btn-on' : ''}`}
              aria-pressed={d === days}
              onClick={() => load(d)}
            >
              {d} days
            </button>
          ))}
        </div>
        <button type="button" className="btn btn-quiet" onClick={() => load()}>
          Refresh
        </button>
      </div>
      {body}
    </div>
  );
}

function Figures({ data }: { data: Insights }) {
  const t = data.totals;
  const decisions = t.approved + t.denied;
  return (
    <div className="insights-scroll">
      <section className="insights-cards" aria-label="Totals">
        {INSIGHT_SERIES.map((s) => (
          <Card key={s} label={SERIES_STYLE[s].label} value={t[s].toLocaleString()} swatch={SERIES_STYLE[s].color} testId={`total-${s}`} />
        ))}
        <Card
          label="Time to decision"
          value={decisionTime(data.decisionMedianMs, data.decided, formatDuration)}
          note={`median; p90 ${decisionTime(data.decisionP90Ms, data.decided, formatDuration)}`}
          testId="decision-time"
        />
        <Card
          label="Auto-approved"
          value={share(data.autoApproved, decisions)}
          note={data.rules.length === 0 ? 'No rules yet' : `${data.autoApproved.toLocaleString()} by rules`}
          testId="auto-approved"
        />
      </section>

      <section className="insights-panel" aria-labelledby="ins-days">
        <h2 id="ins-days">Per day</h2>
        <div className="insights-chart" data-testid="day-chart">
          <ResponsiveContainer width="100%" height={260} initialDimension={{ width: 600, height: 260 }}>
            <BarChart data={dayRows(data)} margin={{ top: 8, right: 8, bottom: 0, left: -12 }} barGap={2}>
              <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={{ fill: 'var(--muted)', fontSize: 12 }} stroke="var(--border-strong)" minTickGap={16} />
              <YAxis allowDecimals={false} tick={{ fill: 'var(--muted)', fontSize: 12 }} stroke="var(--border-strong)" />
              <Tooltip
                cursor={{ fill: 'var(--hover)' }}
                contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)', borderRadius: 6 }}
                labelStyle={{ color: 'var(--text)', fontWeight: 600 }}
                itemStyle={{ color: 'var(--text)' }}
              />
              <Legend wrapperStyle={{ color: 'var(--text)', fontSize: 12 }} />
              {STACKS.flatMap((st) =>
                st.series.map((s) => (
                  <Bar key={s} dataKey={s} name={SERIES_STYLE[s].label} stackId={st.id} fill={SERIES_STYLE[s].color} isAnimationActive={false} />
                )),
              )}
            </BarChart>
          </ResponsiveContainer>
        </div>
      </section>

      <section className="insights-panel" aria-labelledby="ins-agents">
        <h2 id="ins-agents">Per agent</h2>
        <table className="insights-table" data-testid="agents">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              {INSIGHT_SERIES.map((s) => (
                <th scope="col" key={s} className="num">
                  {SERIES_STYLE[s].label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.agents.map((a) => (
              <tr key={a.name}>
                <th scope="row" className="mono">
                  {a.name || '(none)'}
                </th>
                {INSIGHT_SERIES.map((s) => (
                  <td key={s} className="num">
                    {a.counts[s].toLocaleString()}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <div className="insights-columns">
        <TopList title="Top paths" items={data.topPaths} empty="No paths in this range." testId="top-paths" />
        <TopList title="Top commands" items={data.topCommands} empty="No commands in this range." testId="top-commands" />
        <TopList title="Rules that approved" items={data.rules} empty="No rules yet." testId="rules" />
      </div>

      <section className="insights-panel" aria-labelledby="ins-denials">
        <h2 id="ins-denials">Latest denials</h2>
        {!data.reasonsRedacted && data.denials.length > 0 && (
          <p className="muted insights-note">Reasons are shown clipped; no redactor is set, so check them for secrets before sharing.</p>
        )}
        {data.denials.length === 0 ? (
          <p className="muted">No denials in this range.</p>
        ) : (
          <ul className="insights-denials" data-testid="denials">
            {data.denials.map((d) => (
              <li key={d.id}>
                <div className="insights-denial-head">
                  <span className="insights-denial-summary">{clipText(d.summary, 120)}</span>
                  <span className="muted">
                    {d.agentId} · {d.decidedBy} · {formatFull(parseTime(d.decidedAt))}
                  </span>
                </div>
                <p className="insights-reason">{d.reason ? clipText(d.reason, REASON_MAX) : <em className="muted">No reason given</em>}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function Card({ label, value, note, swatch, testId }: { label: string; value: string; note?: string; swatch?: string; testId: string }) {
  return (
    <div className="insights-card" data-testid={testId}>
      <span className="insights-card-label">
        {swatch && <span className="insights-swatch" style={{ background: swatch }} aria-hidden="true" />}
        {label}
      </span>
      <strong className="insights-card-value">{value}</strong>
      {note && <span className="insights-card-note muted">{note}</span>}
    </div>
  );
}

function TopList({ title, items, empty, testId }: { title: string; items: NamedCount[]; empty: string; testId: string }) {
  const most = items.reduce((m, c) => Math.max(m, c.count), 0);
  return (
    <section className="insights-panel" data-testid={testId}>
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ol className="insights-top">
          {items.map((c) => (
            <li key={c.name}>
              <span className="insights-top-bar" style={{ width: `${(100 * c.count) / Math.max(most, 1)}%` }} aria-hidden="true" />
              <span className="insights-top-name mono" title={c.name}>
                {c.name}
              </span>
              <span className="insights-top-count">{c.count.toLocaleString()}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
