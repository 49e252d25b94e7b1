// object.jsx — one object as you may see it: a header with its TLP badge,
// source and dates; its STIX JSON (references are links); its versions;
// relationships and sightings both ways (GET /api/v1/objects/{id}).
import { api, qs } from '../api.js';
import { ErrorBox, ObjLink, Spinner, TlpBadge, fmtTime, useData, useFocusHeading } from '../ui.jsx';

const TLP_IDS = {
  'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487': 'CLEAR',
  'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb': 'GREEN',
  'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421': 'AMBER',
  'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003': 'AMBER+STRICT',
  'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1': 'RED',
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'CLEAR',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'AMBER',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'RED',
};

const ID_RE = /^[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// JSON rendered as text, with STIX ids as links.
function Json({ value, depth = 0 }) {
  const pad = '  '.repeat(depth);
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string' && ID_RE.test(value)) return <>"<a href={`#/object/${encodeURIComponent(value)}`}>{value}</a>"</>;
    return <span class={`j-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>;
  }
  const arr = Array.isArray(value);
  const entries = arr ? value.map((v, i) => [i, v]) : Object.entries(value);
  if (!entries.length) return <>{arr ? '[]' : '{}'}</>;
  return (
    <>
      {arr ? '[' : '{'}{'\n'}
      {entries.map(([k, v], i) => (
        <span key={k}>{pad}  {!arr && <span class="j-key">{JSON.stringify(k)}</span>}{!arr && ': '}<Json value={v} depth={depth + 1} />{i < entries.length - 1 ? ',' : ''}{'\n'}</span>
      ))}
      {pad}{arr ? ']' : '}'}
    </>
  );
}

function Relations({ title, list, total, dir }) {
  return (
    <section aria-labelledby={`rel-${dir}`}>
      <h2 id={`rel-${dir}`}>{title} <span class="count">({total})</span></h2>
      {list.length === 0 ? <p class="hint">None that you may see.</p> : (
        <div class="tablewrap"><table class="list">
          <caption class="sr-only">{title}</caption>
          <thead><tr><th scope="col">Relationship</th><th scope="col">{dir === 'out' ? 'Target' : 'Source'}</th><th scope="col">TLP</th><th scope="col">From</th></tr></thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.relationship.id}>
                <td><ObjLink id={r.relationship.id} name={r.label} /></td>
                <td>{r.other ? <><ObjLink id={r.other.id} name={r.other.name || r.other.id} /> <code class="small">{r.other.type}</code></> : r.other_ref ? <span title="You may not see this object; only its reference, which the relationship holds.">{r.other_ref} <span class="tag">not shared with you</span></span> : '—'}</td>
                <td><TlpBadge tlp={r.relationship.tlp} /></td>
                <td>{r.relationship.source}</td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
      {total > list.length && <p class="hint">Showing {list.length} of {total}.</p>}
    </section>
  );
}

export function ObjectPage({ id, params }) {
  const { data, error, loading, reload } = useData(
    (signal) => api(`/objects/${encodeURIComponent(id)}${qs({ version: params.version })}`, { signal }),
    [id, params.version],
  );
  const h1 = useFocusHeading(id);
  const o = data && data.object;
  const markings = (o && o.object_marking_refs) || [];
  // A value to correlate: an SCO's value or hash, or an indicator's first
  // compared constant.
  const patternValue = o && typeof o.pattern === 'string' && (/=\s*'((?:[^'\\]|\\.)+)'/.exec(o.pattern) || [])[1];
  const value = o && (o.value || (o.hashes && Object.values(o.hashes)[0]) || patternValue);
  return (
    <main id="main" tabindex="-1" data-ready={data ? 'yes' : 'no'}>
      <p class="crumbs"><a href="#/search">Search</a> › <code>{id}</code></p>
      <h1 ref={h1} tabindex="-1">{data ? (data.summary.name || id) : 'Object'}</h1>
      {loading && <Spinner label="Loading the object…" />}
      <ErrorBox error={error} retry={reload} />
      {data && <>
        <div class="meta card">
          <dl>
            <dt>Type</dt><dd><code>{data.summary.type}</code></dd>
            <dt>TLP</dt><dd><TlpBadge tlp={data.summary.tlp} />{markings.filter((m) => !TLP_IDS[m]).map((m) => <span key={m} class="tag"><ObjLink id={m} name="other marking" /></span>)}{markings.length === 0 && <span class="hint"> (unmarked: the collection's default)</span>}</dd>
            <dt>Source</dt><dd>{data.summary.source}</dd>
            {o.created_by_ref && <><dt>Created by</dt><dd><ObjLink id={o.created_by_ref} /></dd></>}
            <dt>Created</dt><dd>{fmtTime(data.summary.created)}</dd>
            <dt>Modified</dt><dd>{fmtTime(data.summary.modified)}</dd>
            <dt>Added here</dt><dd>{fmtTime(data.summary.added)}</dd>
            {o.confidence !== undefined && <><dt>Confidence</dt><dd>{o.confidence}</dd></>}
            {data.summary.revoked && <><dt>Status</dt><dd><span class="tag">revoked</span></dd></>}
          </dl>
          <div class="actions">
            {value && <a class="button" href={`#/correlate${qs({ value })}`}>Correlate this value</a>}
            <a class="button" href={`#/correlate${qs({ id })}`}>Correlation graph</a>
          </div>
        </div>
        {o.description && <section aria-labelledby="desc-h"><h2 id="desc-h">Description</h2><p class="desc">{o.description}</p></section>}
        <Relations title="Relationships from this object" list={data.relationships.outgoing} total={data.relationships.outgoing_total} dir="out" />
        <Relations title="Relationships and sightings to this object" list={data.relationships.incoming} total={data.relationships.incoming_total} dir="in" />
        <section aria-labelledby="ver-h">
          <h2 id="ver-h">Versions <span class="count">({data.versions_total})</span></h2>
          <div class="tablewrap"><table class="list">
            <caption class="sr-only">Versions</caption>
            <thead><tr><th scope="col">Modified</th><th scope="col">Added</th><th scope="col">TLP</th><th scope="col">State</th></tr></thead>
            <tbody>
              {data.versions.map((v) => (
                <tr key={`${v.modified}-${v.added}`}>
                  <td>{v.modified ? <a href={`#/object/${encodeURIComponent(id)}${qs({ version: v.modified })}`}>{fmtTime(v.modified)}</a> : '— (unversioned)'}</td>
                  <td>{fmtTime(v.added)}</td>
                  <td><TlpBadge tlp={v.tlp} /></td>
                  <td>{v.latest ? 'latest' : ''}{v.revoked ? ' revoked' : ''}{params.version === v.modified ? ' (shown)' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table></div>
        </section>
        <section aria-labelledby="json-h">
          <h2 id="json-h">STIX JSON</h2>
          <pre class="json" tabindex="0" aria-label="The object's STIX JSON"><Json value={o} /></pre>
        </section>
      </>}
    </main>
  );
}
