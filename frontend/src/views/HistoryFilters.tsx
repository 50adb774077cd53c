import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ActionKind, ExportFormat, Risk, Status } from '../api';
import { isFiltered } from '../lib/historyModel';
import { kindTitle, riskLabel, statusLabel } from '../lib/labels';
import { useHistory, useStores } from '../stores';

const STATUSES: readonly Status[] = ['executed', 'failed', 'reverted', 'denied', 'expired', 'withdrawn'];
const KINDS: readonly ActionKind[] = [
  'file.write',
  'file.edit',
  'file.delete',
  'file.move',
  'dir.create',
  'sheet.update',
  'command.run',
  'net.request',
  'tool.call',
];
const RISKS: readonly Risk[] = ['low', 'medium', 'high', 'critical'];

export const SEARCH_ID = 'history-search';

/** A local date (YYYY-MM-DD) as the RFC 3339 time its day starts, plus days. */
function dayStart(date: string, plusDays = 0): string {
  if (!date) return '';
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return '';
  return new Date(y, m - 1, d + plusDays).toISOString();
}

/** The search box, the filters, and export, above the history. */
export function HistoryFilters() {
  const { history } = useStores();
  const filters = useHistory((s) => s.filters);
  const search = useHistory((s) => s.searchInput);
  const exporting = useHistory((s) => s.exporting);
  const exportStatus = useHistory((s) => s.exportStatus);
  const h = history.getState;
  const searchRef = useRef<HTMLInputElement>(null);
  // Typed text filters apply on Enter or when the field is left.
  const [agent, setAgent] = useState(filters.agent);
  const [path, setPath] = useState(filters.path);
  const [fromDay, setFromDay] = useState('');
  const [toDay, setToDay] = useState('');
  useEffect(() => setAgent(filters.agent), [filters.agent]);
  useEffect(() => setPath(filters.path), [filters.path]);
  useEffect(() => {
    if (!filters.from) setFromDay('');
    if (!filters.to) setToDay('');
  }, [filters.from, filters.to]);

  // "/" focuses the search from anywhere in the history but a text field.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      e.preventDefault();
      searchRef.current?.focus();
      searchRef.current?.select();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  function onSearchKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    if (search !== '') h().setFilters({ text: '' });
    else e.currentTarget.blur();
  }

  const applyOnEnter = (apply: () => void) => (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') apply();
    else if (e.key === 'Escape') {
      e.stopPropagation();
      e.currentTarget.blur();
    }
  };
  const applyAgent = () => agent !== filters.agent && h().setFilters({ agent });
  const applyPath = () => path !== filters.path && h().setFilters({ path });
  const toggleStatus = (s: Status) =>
    h().setFilters({ statuses: filters.statuses.includes(s) ? filters.statuses.filter((x) => x !== s) : [...filters.statuses, s] });
  const doExport = (f: ExportFormat) => void h().exportAs(f);

  return (
    <div className="history-filters" role="search" aria-label="Filter the history">
      <div className="filter-row">
        <input
          id={SEARCH_ID}
          ref={searchRef}
          className="filter-search"
          type="search"
          placeholder="Search summaries, paths and reasons  ( / )"
          aria-label="Search the history"
          aria-keyshortcuts="/"
          value={search}
          onChange={(e) => h().setSearch(e.target.value)}
          onKeyDown={onSearchKey}
        />
        <input
          className="filter-text"
          placeholder="Agent"
          aria-label="Agent"
          value={agent}
          onChange={(e) => setAgent(e.target.value)}
          onBlur={applyAgent}
          onKeyDown={applyOnEnter(applyAgent)}
        />
        <input
          className="filter-text"
          placeholder="Path or folder"
          aria-label="Path"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          onBlur={applyPath}
          onKeyDown={applyOnEnter(applyPath)}
        />
        <MultiChoice
          label="Action kind"
          any="Any action"
          options={KINDS}
          chosen={filters.kinds}
          name={kindTitle}
          onChange={(kinds) => h().setFilters({ kinds })}
        />
        <MultiChoice
          label="Risk"
          any="Any risk"
          options={RISKS}
          chosen={filters.risks}
          name={riskLabel}
          onChange={(risks) => h().setFilters({ risks })}
        />
      </div>
      <div className="filter-row">
        <div className="filter-chips" role="group" aria-label="Status">
          {STATUSES.map((s) => (
            <button key={s} type="button" className="chip" aria-pressed={filters.statuses.includes(s)} onClick={() => toggleStatus(s)}>
              {statusLabel(s)}
            </button>
          ))}
        </div>
        <label className="filter-date">
          From
          <input
            type="date"
            value={fromDay}
            onChange={(e) => {
              setFromDay(e.target.value);
              h().setFilters({ from: dayStart(e.target.value) });
            }}
          />
        </label>
        <label className="filter-date">
          to
          <input
            type="date"
            value={toDay}
            onChange={(e) => {
              setToDay(e.target.value);
              h().setFilters({ to: dayStart(e.target.value, 1) });
            }}
          />
        </label>
        <button type="button" className="btn btn-small" disabled={!isFiltered(filters)} onClick={() => h().clearFilters()}>
          Clear filters
        </button>
        <span className="filter-export">
          <button type="button" className="btn btn-small" disabled={exporting} onClick={() => doExport('jsonl')} title="Export what is listed as JSON lines">
            Export JSON lines…
          </button>
          <button type="button" className="btn btn-small" disabled={exporting} onClick={() => doExport('csv')} title="Export what is listed as CSV">
            Export CSV…
          </button>
        </span>
      </div>
      {exportStatus && (
        <p className={`export-status${exportStatus.ok ? '' : ' stat-error'}`} role="status">
          {exportStatus.message}{' '}
          <button type="button" className="link-btn" onClick={() => h().dismissExport()} aria-label="Dismiss">
            ×
          </button>
        </p>
      )}
    </div>
  );
}

/**
 * A filter with several values to choose from, any number at once: a button
 * that says what is chosen and opens a list of checkboxes. Esc or a click
 * elsewhere closes it.
 */
function MultiChoice<T extends string>({
  label,
  any,
  options,
  chosen,
  name,
  onChange,
}: {
  label: string;
  any: string;
  options: readonly T[];
  chosen: readonly string[];
  name: (v: T) => string;
  onChange: (next: T[]) => void;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const listId = `filter-${label.toLowerCase().replace(/\W+/g, '-')}`;
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);
  const picked = options.filter((o) => chosen.includes(o));
  const summary = picked.length === 0 ? any : picked.length <= 2 ? picked.map(name).join(', ') : `${label}: ${picked.length}`;
  const toggle = (o: T) => onChange(picked.includes(o) ? picked.filter((x) => x !== o) : [...picked, o]);
  return (
    <div
      className="filter-multi"
      ref={ref}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          ref.current?.querySelector('button')?.focus();
        }
      }}
    >
      <button
        type="button"
        className={`filter-multi-button${picked.length > 0 ? ' filter-multi-set' : ''}`}
        aria-label={`${label}: ${picked.length === 0 ? any : picked.map(name).join(', ')}`}
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen(!open)}
      >
        {summary} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <fieldset id={listId} className="filter-multi-list">
          <legend className="sr-only">{label}</legend>
          {options.map((o) => (
            <label key={o}>
              <input type="checkbox" checked={picked.includes(o)} onChange={() => toggle(o)} /> {name(o)}
            </label>
          ))}
          {picked.length > 0 && (
            <button type="button" className="link-btn" onClick={() => onChange([])}>
              {any}
            </button>
          )}
        </fieldset>
      )}
    </div>
  );
}
