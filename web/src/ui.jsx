// ui.jsx — the small components every view uses: TLP badges in FIRST's
// colours, progress and error boxes, paged tables, bar lists and the
// sightings chart (hand-drawn SVG), and the data-loading hook that times
// each view.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

// FIRST TLP 2.0: coloured text on black.
export function TlpBadge({ tlp }) {
  const t = (tlp || 'NONE').toUpperCase();
  const cls = t === 'AMBER+STRICT' ? 'amber' : t.toLowerCase();
  return <span class={`tlp tlp-${cls}`} title={`Traffic Light Protocol: ${t}`}>TLP:{t}</span>;
}

export function Spinner({ label = 'Loading…' }) {
  return <p class="progress" role="status" aria-live="polite"><span class="spin" aria-hidden="true" />{label}</p>;
}

export function ProgressBar({ value, label }) {
  const pct = Math.round((value || 0) * 100);
  return (
    <div class="progressbar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow={pct} aria-label={label}>
      <svg width="100%" height="12" aria-hidden="true"><rect width="100%" height="12" rx="6" class="pb-bg" /><rect width={`${pct}%`} height="12" rx="6" class="pb-fg" /></svg>
      <span>{label} — {pct}%</span>
    </div>
  );
}

export function ErrorBox({ error, retry }) {
  if (!error) return null;
  const msg = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return (
    <div class="error" role="alert">
      <strong>Something went wrong.</strong> {msg}
      {retry && <> <button type="button" onClick={retry}>Try again</button></>}
    </div>
  );
}

// Load data for a view: { data, error, loading, reload }.  The time from
// the start to the data being ready is kept in window.__accordViews.
export function useData(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const ctl = new AbortController();
    const t0 = performance.now();
    setState((s) => ({ ...s, loading: true, error: null }));
    load(ctl.signal).then(
      (data) => {
        if (!live) return;
        const ms = performance.now() - t0;
        (window.__accordViews = window.__accordViews || []).push({ view: location.hash.split('?')[0], ms });
        setState({ data, error: null, loading: false });
      },
      (error) => { if (live && error.name !== 'AbortError') setState({ data: null, error, loading: false }); },
    );
    return () => { live = false; ctl.abort(); };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function Bars({ items, total, label, onPick }) {
  const max = Math.max(1, ...items.map((i) => i.count));
  return (
    <table class="bars">
      <caption class="sr-only">{label}</caption>
      <thead class="sr-only"><tr><th scope="col">Name</th><th scope="col">Count</th></tr></thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.name}>
            <th scope="row">{onPick ? <a href={onPick(i.name)}>{i.name}</a> : i.name}</th>
            <td>
              <svg class="bar" width="100%" height="14" aria-hidden="true"><rect height="14" width={`${(100 * i.count) / max}%`} rx="2" /></svg>
              <span class="num">{i.count.toLocaleString()}{total ? ` (${((100 * i.count) / total).toFixed(1)}%)` : ''}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Sightings per day: a bar chart drawn in SVG, with a text alternative.
export function DayChart({ series, title }) {
  const w = 720, h = 180, pad = 28;
  const max = Math.max(1, ...series.map((d) => d.count));
  const bw = (w - pad * 2) / Math.max(1, series.length);
  const ticks = [0, Math.ceil(max / 2), max];
  const total = series.reduce((a, d) => a + d.count, 0);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${w} ${h + 24}`} role="img" aria-label={`${title}: ${total} in ${series.length} days`}>
        {ticks.map((t) => {
          const y = h - ((h - pad) * t) / max;
          return <g key={t}><line x1={pad} x2={w - pad} y1={y} y2={y} class="grid" /><text x={pad - 4} y={y + 4} class="axis" text-anchor="end">{t}</text></g>;
        })}
        {series.map((d, i) => {
          const bh = ((h - pad) * d.count) / max;
          return (
            <rect key={d.day} x={pad + i * bw + 1} y={h - bh} width={Math.max(1, bw - 2)} height={bh} class="col">
              <title>{`${d.day}: ${d.count}`}</title>
            </rect>
          );
        })}
        {series.length > 0 && <>
          <text x={pad} y={h + 18} class="axis">{series[0].day}</text>
          <text x={w - pad} y={h + 18} class="axis" text-anchor="end">{series[series.length - 1].day}</text>
        </>}
      </svg>
      <figcaption>{title}: {total.toLocaleString()} in the last {series.length} days.</figcaption>
    </figure>
  );
}

export function fmtTime(t) {
  if (!t) return '—';
  return t.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function ObjLink({ id, name }) {
  return <a href={`#/object/${encodeURIComponent(id)}`} class="objlink">{name || id}</a>;
}

export function SummaryTable({ rows, caption, showSource = true }) {
  return (
    <div class="tablewrap">
      <table class="list">
        <caption class="sr-only">{caption}</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">TLP</th>{showSource && <th scope="col">Source</th>}<th scope="col">Added</th></tr></thead>
        <tbody>
          {rows.map((o) => (
            <tr key={o.id} class={o.revoked ? 'revoked' : ''}>
              <td><ObjLink id={o.id} name={o.name || o.id} />{o.revoked && <span class="tag">revoked</span>}</td>
              <td><code>{o.type}</code></td>
              <td><TlpBadge tlp={o.tlp} /></td>
              {showSource && <td>{o.source}</td>}
              <td><time dateTime={o.added}>{fmtTime(o.added)}</time></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// Move focus to the view's heading when it changes (keyboard and screen
// reader users land on the new content).
export function useFocusHeading(dep) {
  const ref = useRef(null);
  useEffect(() => { if (ref.current) ref.current.focus({ preventScroll: false }); }, [dep]);
  return ref;
}
