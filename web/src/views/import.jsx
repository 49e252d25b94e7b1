// import.jsx — upload STIX or MISP files into a collection: progress while
// the file travels, then while the server stores it; the outcome per file
// with every refused object and why (POST /api/v1/import).
import { useState } from 'preact/hooks';
import { api, upload, qs } from '../api.js';
import { ErrorBox, ProgressBar, Spinner, useData, useFocusHeading } from '../ui.jsx';

function Outcome({ name, res }) {
  return (
    <section class="card outcome" aria-label={`Result for ${name}`}>
      <h3>{name}</h3>
      <p>
        {res.format === 'misp' ? `MISP: ${res.events} event(s), ${res.attributes} attribute(s). ` : `STIX ${res.shape}. `}
        <strong>{res.stored}</strong> stored, {res.duplicate} already here, <strong class={res.rejected ? 'bad' : ''}>{res.rejected}</strong> refused
        {res.sightings ? `, ${res.sightings} sighting(s) recorded by detection` : ''}.
      </p>
      {res.errors.length > 0 && <>
        <h4>Refused ({res.errors_total})</h4>
        <div class="tablewrap"><table class="list errors">
          <caption class="sr-only">Refused objects</caption>
          <thead><tr><th scope="col">Where</th><th scope="col">Object</th><th scope="col">Why</th></tr></thead>
          <tbody>
            {res.errors.map((e, i) => (
              <tr key={i}>
                <td>{e.index !== undefined ? `object ${e.index + 1}, line ${e.line}` : `${e.event ? `event ${e.event}` : ''}${e.attribute_index !== undefined ? `, attribute ${e.attribute_index + 1}` : ''}`}</td>
                <td><code>{e.id || e.attribute || '—'}</code></td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table></div>
        <p class="hint">Fix these objects in the file and import it again: what was stored already is recognised as a duplicate.</p>
      </>}
      {res.warnings.length > 0 && <details><summary>{res.warnings.length} warning(s)</summary><ul>{res.warnings.map((w, i) => <li key={i}>{w.id ? <code>{w.id}</code> : null} {w.message}</li>)}</ul></details>}
    </section>
  );
}

export function Import() {
  const h1 = useFocusHeading('import');
  const colls = useData((signal) => api('/api/collections/', { signal, headers: { Accept: 'application/taxii+json;version=2.1' } }), []);
  const [files, setFiles] = useState([]);
  const [collection, setCollection] = useState('default');
  const [format, setFormat] = useState('auto');
  const [busy, setBusy] = useState(null); // {name, value, phase}
  const [results, setResults] = useState([]);
  const [error, setError] = useState(null);
  const writable = ((colls.data && colls.data.collections) || []).filter((c) => c.can_write);

  const start = async (e) => {
    e.preventDefault();
    setError(null);
    setResults([]);
    const done = [];
    for (const f of files) {
      setBusy({ name: f.name, value: 0, phase: 'upload' });
      try {
        const res = await upload(`/import${qs({ collection, format })}`, f, (value, phase) => setBusy({ name: f.name, value, phase }));
        done.push({ name: f.name, res });
      } catch (err) {
        done.push({ name: f.name, error: err });
      }
      setResults([...done]);
    }
    setBusy(null);
  };

  return (
    <main id="main" tabindex="-1" data-ready={colls.data ? 'yes' : 'no'}>
      <h1 ref={h1} tabindex="-1">Import</h1>
      <p>Upload STIX 2.x (bundle, TAXII envelope, array, JSON lines) or MISP (event, list of events) files. They are stored with your organisation as their source and shared according to their TLP markings (unmarked objects take the collection's default).</p>
      <form class="card" onSubmit={start}>
        <label for="i-file">Files</label>
        <input id="i-file" type="file" multiple accept=".json,.jsonl,application/json" onChange={(e) => setFiles([...e.currentTarget.files])} required />
        <div class="grid">
          <div><label for="i-coll">Collection</label>
            <select id="i-coll" value={collection} onChange={(e) => setCollection(e.currentTarget.value)}>
              {writable.length === 0 && <option value="default">default</option>}
              {writable.map((c) => <option key={c.id} value={c.alias || c.id}>{c.title}{c.alias ? ` (${c.alias})` : ''}</option>)}
            </select></div>
          <div><label for="i-format">Format</label>
            <select id="i-format" value={format} onChange={(e) => setFormat(e.currentTarget.value)}>
              <option value="auto">recognise it</option>
              <option value="stix">STIX</option>
              <option value="misp">MISP</option>
            </select></div>
        </div>
        <ErrorBox error={colls.error} retry={colls.reload} />
        <div class="actions"><button type="submit" class="primary" disabled={!files.length || busy}>Import {files.length > 1 ? `${files.length} files` : ''}</button></div>
      </form>
      {busy && (busy.phase === 'upload'
        ? <ProgressBar value={busy.value} label={`Uploading ${busy.name}`} />
        : <Spinner label={`Storing ${busy.name} on the server (validating each object)…`} />)}
      <ErrorBox error={error} />
      {results.map((r) => (r.error
        ? <div key={r.name} class="card outcome"><h3>{r.name}</h3><ErrorBox error={r.error} /></div>
        : <Outcome key={r.name} name={r.name} res={r.res} />))}
    </main>
  );
}
