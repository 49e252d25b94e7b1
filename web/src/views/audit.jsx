// audit.jsx — the audit log for administrators: every release and denial
// of stored objects, newest first, filtered by principal, object and
// action (GET /api/v1/audit).
import { useState } from 'preact/hooks';
import { api, qs } from '../api.js';
import { ErrorBox, ObjLink, Spinner, fmtTime, useData, useFocusHeading } from '../ui.jsx';

export function Audit({ me, params }) {
  const h1 = useFocusHeading('audit');
  const [form, setForm] = useState({ principal: params.principal || '', object: params.object || '', action: params.action || '' });
  const { data, error, loading, reload } = useData(
    (signal) => (me.admin ? api(`/audit${qs({ principal: params.principal, object: params.object, action: params.action, before: params.before, limit: 50 })}`, { signal }) : Promise.resolve(null)),
    [JSON.stringify(params)],
  );
  if (!me.admin) {
    return <main id="main" tabindex="-1"><h1 ref={h1} tabindex="-1">Audit log</h1><p>Only administrators may read the audit log.</p></main>;
  }
  const submit = (e) => { e.preventDefault(); location.hash = `#/audit${qs(form)}`; };
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  return (
    <main id="main" tabindex="-1" data-ready={data ? 'yes' : 'no'}>
      <h1 ref={h1} tabindex="-1">Audit log</h1>
      <form class="card search" onSubmit={submit} aria-label="Filter the audit log">
        <div class="grid">
          <div><label for="a-p">Principal</label><input id="a-p" value={form.principal} onInput={set('principal')} placeholder="user name" /></div>
          <div><label for="a-o">Object id</label><input id="a-o" value={form.object} onInput={set('object')} /></div>
          <div><label for="a-a">Action</label><select id="a-a" value={form.action} onChange={set('action')}><option value="">any</option><option value="release">release</option><option value="deny">deny</option></select></div>
        </div>
        <div class="actions"><button type="submit" class="primary">Filter</button></div>
      </form>
      {loading && <Spinner label="Reading the audit log…" />}
      <ErrorBox error={error} retry={reload} />
      {data && <>
        <p>{data.matched.toLocaleString()} matching entries{data.more ? '; the newest shown' : ''}.</p>
        <div class="tablewrap"><table class="list">
          <caption class="sr-only">Audit entries</caption>
          <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Action</th><th scope="col">Who</th><th scope="col">Path</th><th scope="col">Objects</th></tr></thead>
          <tbody>
            {data.entries.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>{fmtTime(e.time)}</td>
                <td><span class={`tag ${e.action === 'deny' ? 'bad' : ''}`}>{e.action}</span></td>
                <td>{e.principal}{e.org ? ` (${e.org})` : ''}</td>
                <td><code class="small">{e.path}</code></td>
                <td>{e.n_objects}: {e.objects.slice(0, 3).map((o) => <span key={o}><ObjLink id={o.split('@')[0]} name={o.split('@')[0].split('--')[0]} />{' '}</span>)}{e.n_objects > 3 ? '…' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table></div>
        <nav class="pager" aria-label="Pages">
          {params.before && <button type="button" onClick={() => history.back()}>← Newer</button>}
          {data.more && <button type="button" onClick={() => { location.hash = `#/audit${qs({ ...form, before: data.next })}`; }}>Older →</button>}
        </nav>
      </>}
    </main>
  );
}
