// search.jsx — search by observable value, text, type, TLP, source and
// date added, newest first, paged (GET /api/v1/search).  The form's state
// lives in the URL, so a search can be bookmarked and shared with a
// colleague, who sees what their own organisation may see.
import { useState } from 'preact/hooks';
import { api, qs } from '../api.js';
import { ErrorBox, Spinner, SummaryTable, TLP_LEVELS, useData, useFocusHeading } from '../ui.jsx';

const FIELDS = ['value', 'q', 'type', 'tlp', 'source', 'from', 'to'];

export function Search({ params }) {
  const [form, setForm] = useState(() => Object.fromEntries(FIELDS.map((f) => [f, params[f] || ''])));
  const cursor = params.cursor || '';
  const page = Number(params.page || 1);
  const any = FIELDS.some((f) => params[f]);
  const { data, error, loading, reload } = useData(
    (signal) => api(`/search${qs({ ...Object.fromEntries(FIELDS.map((f) => [f, params[f]])), cursor, limit: 25 })}`, { signal }),
    [JSON.stringify(params)],
  );
  const h1 = useFocusHeading('search');
  const go = (extra) => {
    const p = { ...Object.fromEntries(FIELDS.map((f) => [f, form[f]])), ...extra };
    location.hash = `#/search${qs(p)}`;
  };
  const submit = (e) => { e.preventDefault(); go({}); };
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const clear = () => { setForm(Object.fromEntries(FIELDS.map((f) => [f, '']))); location.hash = '#/search'; };
  return (
    <main id="main" tabindex="-1" data-ready={data ? 'yes' : 'no'}>
      <h1 ref={h1} tabindex="-1">Search</h1>
      <form class="search card" onSubmit={submit} role="search" aria-label="Search objects">
        <div class="grid">
          <div><label for="s-value">Observable value</label><input id="s-value" placeholder="198.51.100.7, evil.example, a hash…" value={form.value} onInput={set('value')} /></div>
          <div><label for="s-q">Text</label><input id="s-q" placeholder="words anywhere in the object" value={form.q} onInput={set('q')} /></div>
          <div><label for="s-type">Type</label><input id="s-type" list="stix-types" placeholder="indicator, malware…" value={form.type} onInput={set('type')} /></div>
          <div><label for="s-tlp">TLP</label>
            <select id="s-tlp" value={form.tlp} onChange={set('tlp')}>
              <option value="">any</option>
              {TLP_LEVELS.map((t) => <option key={t} value={t.toLowerCase()}>{t}</option>)}
            </select></div>
          <div><label for="s-source">Source organisation</label><input id="s-source" value={form.source} onInput={set('source')} /></div>
          <div><label for="s-from">Added from</label><input id="s-from" type="date" value={form.from} onInput={set('from')} /></div>
          <div><label for="s-to">Added until</label><input id="s-to" type="date" value={form.to} onInput={set('to')} /></div>
        </div>
        <datalist id="stix-types">
          {['attack-pattern', 'campaign', 'course-of-action', 'grouping', 'identity', 'indicator', 'infrastructure', 'intrusion-set', 'location', 'malware', 'note', 'observed-data', 'opinion', 'relationship', 'report', 'sighting', 'threat-actor', 'tool', 'vulnerability', 'ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'file', 'email-addr'].map((t) => <option key={t} value={t} />)}
        </datalist>
        <div class="actions">
          <button type="submit" class="primary">Search</button>
          <button type="button" onClick={clear}>Clear</button>
        </div>
      </form>
      {loading && <Spinner label="Searching…" />}
      <ErrorBox error={error} retry={reload} />
      {data && <section aria-live="polite" aria-label="Results">
        <p class="resultinfo">{data.results.length ? `Results ${(page - 1) * 25 + 1}–${(page - 1) * 25 + data.results.length}${data.more ? ' (more follow)' : ''}` : any ? 'Nothing you may see matches. Try fewer filters, or another spelling.' : 'Nothing stored yet.'}{!any && data.results.length ? ' — the newest objects; use the form to narrow them.' : ''}</p>
        {data.results.length > 0 && <SummaryTable rows={data.results} caption="Search results" />}
        <nav class="pager" aria-label="Pages">
          {page > 1 && <button type="button" onClick={() => history.back()}>← Previous page</button>}
          {data.more && <button type="button" onClick={() => go({ cursor: data.next, page: page + 1 })}>Next page →</button>}
        </nav>
      </section>}
    </main>
  );
}
