// Pure helpers of the Insights dashboard: chart rows, shares and labels.
import type { InsightCounts, Insights, InsightSeries } from '../api';

/** A series' label and its colour: a CSS variable of styles.css, set for both themes. */
export const SERIES_STYLE: Record<InsightSeries, { label: string; color: string }> = {
  proposed: { label: 'Proposed', color: 'var(--chart-proposed)' },
  approved: { label: 'Approved', color: 'var(--chart-approved)' },
  denied: { label: 'Denied', color: 'var(--chart-denied)' },
  executed: { label: 'Executed', color: 'var(--chart-executed)' },
  failed: { label: 'Failed', color: 'var(--chart-failed)' },
  reverted: { label: 'Reverted', color: 'var(--chart-reverted)' },
};

/**
 * The bars of a day, in three stacks: what came in (proposed), what was
 * decided (approved, denied) and what ran (executed, failed, reverted).
 */
export const STACKS: { id: string; series: InsightSeries[] }[] = [
  { id: 'in', series: ['proposed'] },
  { id: 'decided', series: ['approved', 'denied'] },
  { id: 'ran', series: ['executed', 'failed', 'reverted'] },
];

export type DayRow = { day: string; label: string } & InsightCounts;

/** One chart row per day, labelled "Mar 14" in the user's locale. */
export function dayRows(data: Insights, locale?: string): DayRow[] {
  const fmt = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  return data.days.map((d) => {
    const ms = Date.parse(`${d.name}T00:00:00Z`);
    return { day: d.name, label: Number.isNaN(ms) ? d.name : fmt.format(ms), ...d.counts };
  });
}

/** Whether the range holds anything to show. */
export function isEmpty(data: Insights): boolean {
  return Object.values(data.totals).every((n) => n === 0) && Object.values(data.byStatus).every((n) => n === 0);
}

/** "42%", "<1%", "0%": part of whole, rounded. */
export function share(part: number, whole: number): string {
  if (whole <= 0 || part <= 0) return '0%';
  const p = (100 * part) / whole;
  if (p < 1) return '<1%';
  return `${Math.round(p)}%`;
}

/** A duration for a figure: "—" when nothing was decided. */
export function decisionTime(ms: number, decided: number, format: (ms: number) => string): string {
  return decided === 0 ? '—' : ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : format(ms);
}

/** Clips text to max characters (code points), marking the cut. */
export function clipText(s: string, max: number): string {
  const cps = Array.from(s);
  return cps.length <= max ? s : `${cps.slice(0, max - 1).join('')}…`;
}
