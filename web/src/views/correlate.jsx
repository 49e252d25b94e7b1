// correlate.jsx — objects linked through shared observable values across
// sources (GET /api/v1/correlate?value=…|id=…): a graph drawn in SVG — the
// query in the middle, its values around it, the objects holding each value
// outside, coloured by source — with the common-value and anonymiser flags
// on the values, and the same answer as tables (the graph's text
// alternative, and what keyboard users walk through).  Only what the
// user may see is in the answer: the server counts visible postings only.
import { useState } from 'preact/hooks';
import { api, qs } from '../api.js';
import { ErrorBox, ObjLink, Spinner, TlpBadge, fmtTime, useData, useFocusHeading } from '../ui.jsx';

const PALETTE = ['#1f5f99', '#9a3412', '#166534', '#6b21a8', '#9f1239', '#0f766e', '#854d0e', '#3730a3'];
const FLAG_TEXT = {
  common: 'common: reported by many sources, references not followed',
  'tor-exit': 'Tor exit node while seen',
  vpn: 'VPN endpoint while seen',
  proxy: 'open proxy while seen',
  scanner: 'known scanner',
  cdn: 'CDN address (shared by many sites)',
};

function trim(s, n) { return s && s.length > n ? `${s.slice(0, n - 1)}…` : s || ''; }

// Place values on an inner ring and objects on an outer one; an object
// holding several values sits between them (that is the correlation).
function layout(answer) {
  const W = 960, H = 640, cx = W / 2, cy = H / 2;
  const values = answer.values || [];
  // One value: it is the centre; several: the query sits in the middle.
  const nodes = values.length > 1 ? [{ key: 'q', kind: 'query', label: answer.query, x: cx, y: cy }] : [];
  const edges = [];
  const objPos = new Map();
  const R1 = values.length > 1 ? 170 : 0, R2 = values.length > 1 ? 290 : 170;
  values.forEach((v, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, values.length) - Math.PI / 2;
    const vx = cx + R1 * Math.cos(a), vy = cy + R1 * Math.sin(a);
    const key = `v${i}`;
    nodes.push({ key, kind: 'value', v, label: v.value, x: vx, y: vy, a });
    if (R1) edges.push({ from: 'q', to: key, cls: 'e-q' });
    const objs = (v.objects || []).slice(0, 24);
    objs.forEach((o, k) => {
      const spread = values.length > 1 ? Math.min(Math.PI / values.length, 1.2) : (2 * Math.PI * objs.length) / (objs.length + 1) / 1.6;
      const oa = a + (objs.length > 1 ? (k / (objs.length - 1) - 0.5) * spread * 1.6 : 0);
      const prev = objPos.get(o.id);
      if (prev) {
        prev.angles.push(oa);
        prev.values.push(key);
      } else {
        objPos.set(o.id, { o, angles: [oa], values: [key] });
      }
    });
  });
  for (const [id, p] of objPos) {
    const a = p.angles.reduce((s, x) => s + x, 0) / p.angles.length;
    const r = p.values.length > 1 ? (R1 + R2) / 2 + 20 : R2;
    const key = `o:${id}`;
    nodes.push({ key, kind: 'object', o: p.o, label: p.o.name || p.o.id, x: cx + r * Math.cos(a), y: cy + r * Math.sin(a), shared: p.values.length > 1 });
    p.values.forEach((vk) => edges.push({ from: vk, to: key, cls: p.o.via ? 'e-via' : 'e-val' }));
  }
  // Crop to what is drawn (labels need room on every side).
  const xs = nodes.map((n) => n.x), ys = nodes.map((n) => n.y);
  const box = { x: Math.min(...xs) - 120, y: Math.min(...ys) - 50, w: Math.max(...xs) - Math.min(...xs) + 240, h: Math.max(...ys) - Math.min(...ys) + 110 };
  return { W, H, box, nodes, edges };
}

function Graph({ answer, sources, onOpen }) {
  const { box, nodes, edges } = layout(answer);
  const at = Object.fromEntries(nodes.map((n) => [n.key, n]));
  const colour = (src) => PALETTE[Math.max(0, sources.indexOf(src)) % PALETTE.length];
  return (
    <figure class="graph card">
      <svg class="g" viewBox={`${box.x} ${box.y} ${box.w} ${box.h}`} role="img" aria-label={`Correlation graph: ${answer.values_matched} value(s), ${nodes.filter((n) => n.kind === 'object').length} object(s) from ${sources.length} source(s). The tables below hold the same.`}>
        {edges.map((e, i) => {
          const a = at[e.from], b = at[e.to];
          return <line key={i} x1={a.x} y1={a.y} x2={b.x} y2={b.y} class={e.cls} />;
        })}
        {nodes.map((n) => {
          if (n.kind === 'query') {
            return <g key={n.key} class="n-query"><circle cx={n.x} cy={n.y} r="26" /><text x={n.x} y={n.y + 44} text-anchor="middle">{trim(n.label, 40)}</text></g>;
          }
          if (n.kind === 'value') {
            const flags = n.v.flags || [];
            const flagged = flags.filter((f) => f !== 'common').length > 0;
            return (
              <g key={n.key} class={`n-value ${flags.includes('common') ? 'common' : ''} ${flagged ? 'flagged' : ''}`}>
                <title>{`${n.v.kind} ${n.v.value} (${n.v.relation}): ${n.v.occurrences} occurrence(s), ${n.v.n_sources} source(s)${flags.length ? `; flags: ${flags.join(', ')}` : ''}`}</title>
                <rect x={n.x - 9} y={n.y - 9} width="18" height="18" transform={`rotate(45 ${n.x} ${n.y})`} />
                <text x={n.x} y={n.y - 16} text-anchor="middle">{trim(n.label, 28)}{flags.length ? ` ⚑ ${flags.join(',')}` : ''}</text>
              </g>
            );
          }
          return (
            <g key={n.key} class="n-object" tabindex="0" role="link" aria-label={`${n.o.type} ${n.label} from ${n.o.source}`}
              onClick={() => onOpen(n.o.id)} onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onOpen(n.o.id); } }}>
              <title>{`${n.o.type}: ${n.label} — ${n.o.source}, TLP:${n.o.tlp}${n.o.via ? `, via ${n.o.via}` : ''}`}</title>
              <circle cx={n.x} cy={n.y} r={n.shared ? 11 : 8} fill={colour(n.o.source)} class={n.shared ? 'shared' : ''} />
              <text x={n.x} y={n.y + 22} text-anchor="middle">{trim(n.label, 22)}</text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span class="legend"><svg width="14" height="14" aria-hidden="true"><rect x="3" y="3" width="8" height="8" transform="rotate(45 7 7)" class="lg-value" /></svg> value</span>
        <span class="legend"><svg width="14" height="14" aria-hidden="true"><rect x="3" y="3" width="8" height="8" transform="rotate(45 7 7)" class="lg-flagged" /></svg> anonymiser or relay flag</span>
        <span class="legend"><svg width="14" height="14" aria-hidden="true"><rect x="3" y="3" width="8" height="8" transform="rotate(45 7 7)" class="lg-common" /></svg> common value</span>
        <span class="legend">large circle: an object holding several of these values</span>
        {sources.map((s) => <span key={s} class="legend"><svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="5" fill={colour(s)} /></svg> {s}</span>)}
        <br />Select an object (click, or Tab then Enter) to correlate from it.
      </figcaption>
    </figure>
  );
}

export function Correlate({ params }) {
  const h1 = useFocusHeading('correlate');
  const [text, setText] = useState(params.value || params.id || '');
  const what = params.id ? { id: params.id } : params.value ? { value: params.value } : null;
  const { data, error, loading, reload } = useData(
    (signal) => (what ? api(`/correlate${qs({ ...what, limit: 50 })}`, { signal }) : Promise.resolve(null)),
    [params.id, params.value],
  );
  const submit = (e) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    location.hash = `#/correlate${qs(/^[a-z0-9-]+--[0-9a-f-]{36}$/.test(t) ? { id: t } : { value: t })}`;
  };
  const open = (id) => { location.hash = `#/correlate${qs({ id })}`; };
  const sources = data ? data.sources || [] : [];
  return (
    <main id="main" tabindex="-1" data-ready={!what || data ? 'yes' : 'no'}>
      <h1 ref={h1} tabindex="-1">Correlation</h1>
      <form class="card search" onSubmit={submit} role="search" aria-label="Correlate a value or an object">
        <label for="c-what">Value or object id</label>
        <div class="inline">
          <input id="c-what" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="203.0.113.5, evil.example, sha256:…, indicator--…" />
          <button type="submit" class="primary">Correlate</button>
        </div>
        <p class="hint">An address also meets the networks holding it; a network the addresses inside it. KIND:VALUE names any kind (mutex:…, regkey:…).</p>
      </form>
      {loading && what && <Spinner label="Looking for shared values…" />}
      <ErrorBox error={error} retry={reload} />
      {data && <>
        <p>
          <strong>{data.values_matched}</strong> value(s) matched, reported by <strong>{sources.length}</strong> source(s){sources.length ? `: ${sources.join(', ')}` : ''}.
          {' '}{params.id && <ObjLink id={params.id} name="Open the object" />}
        </p>
        {data.values_matched > 0 ? <Graph answer={data} sources={sources} onOpen={open} /> : <p>Nothing you may see shares a value with this.</p>}
        {(data.values || []).map((v, i) => (
          <section key={i} class="card" aria-label={`Value ${v.value}`}>
            <h2 class="value-h"><code>{v.value}</code> <span class="count">{v.kind}, {v.relation}</span>
              {(v.flags || []).map((f) => <span key={f} class={`tag flag ${f === 'common' ? '' : 'bad'}`} title={FLAG_TEXT[f] || f}>{f}</span>)}</h2>
            <p>{v.occurrences} occurrence(s) from {v.n_sources} source(s), seen {fmtTime(v.first_seen)} – {fmtTime(v.last_seen)}, up to <TlpBadge tlp={v.tlp} />.
              {(v.flags || []).map((f) => <span key={f} class="flagtext"> {FLAG_TEXT[f] || f}.</span>)}</p>
            {(v.lists || []).length > 0 && <p class="hint">On lists: {v.lists.map((l) => `${l.list} (${l.kind}, ${fmtTime(l.valid_from)} – ${fmtTime(l.valid_until)})`).join('; ')}</p>}
            <div class="tablewrap"><table class="list">
              <caption class="sr-only">Objects holding {v.value}</caption>
              <thead><tr><th scope="col">Object</th><th scope="col">Type</th><th scope="col">Source</th><th scope="col">TLP</th><th scope="col">Seen</th></tr></thead>
              <tbody>
                {(v.objects || []).map((o) => (
                  <tr key={o.id}>
                    <td><ObjLink id={o.id} name={o.name || o.id} />{o.via && <span class="hint"> via <code class="small">{o.via}</code></span>}</td>
                    <td><code>{o.type}</code></td>
                    <td>{o.source}</td>
                    <td><TlpBadge tlp={o.tlp} /></td>
                    <td>{fmtTime(o.first_seen)}{o.last_seen && o.last_seen !== o.first_seen ? ` – ${fmtTime(o.last_seen)}` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table></div>
            {v.more_objects > 0 && <p class="hint">and {v.more_objects} more.</p>}
          </section>
        ))}
      </>}
    </main>
  );
}
