// dashboard.jsx — what the user may see, at a glance: totals, recent
// arrivals, objects by type, TLP and source organisation, and sightings
// over time (GET /api/v1/stats, counted over visible objects only).
import { api } from '../api.js';
import { Bars, DayChart, ErrorBox, Spinner, SummaryTable, TlpBadge, fmtTime, useData, useFocusHeading } from '../ui.jsx';

export function Dashboard() {
  const { data, error, loading, reload } = useData((signal) => api('/stats?days=30&recent=10', { signal }), []);
  const h1 = useFocusHeading('dash');
  return (
    <main id="main" tabindex="-1" data-ready={data ? 'yes' : 'no'}>
      <h1 ref={h1} tabindex="-1">Dashboard</h1>
      {loading && !data && <Spinner label="Counting what you may see…" />}
      <ErrorBox error={error} retry={reload} />
      {data && <>
        <section class="cards" aria-label="Totals">
          <div class="card stat"><span class="big">{data.objects.toLocaleString()}</span> objects you may see</div>
          <div class="card stat"><span class="big">{data.sightings.total.toLocaleString()}</span> sightings</div>
          <div class="card stat"><span class="big">{data.by_source.length}</span> source organisations</div>
          <div class="card stat"><span class="small">Last arrival</span><br />{fmtTime(data.last_added)}</div>
        </section>
        <section aria-labelledby="sight-h">
          <h2 id="sight-h">Sightings over time</h2>
          <DayChart series={data.sightings.per_day} title="Sightings per day" />
        </section>
        <section aria-labelledby="recent-h">
          <h2 id="recent-h">Recent arrivals</h2>
          {data.recent.length ? <SummaryTable rows={data.recent} caption="Recent arrivals" /> : <p>Nothing yet. <a href="#/import">Import</a> a STIX or MISP file to begin.</p>}
        </section>
        <div class="cols">
          <section aria-labelledby="tlp-h">
            <h2 id="tlp-h">By TLP</h2>
            <table class="bars">
              <caption class="sr-only">Objects by TLP</caption>
              <tbody>
                {data.by_tlp.map((t) => (
                  <tr key={t.name}>
                    <th scope="row"><a href={`#/search?tlp=${encodeURIComponent(t.name.toLowerCase())}`}><TlpBadge tlp={t.name} /></a></th>
                    <td><span class="num">{t.count.toLocaleString()}</span></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="src-h">
            <h2 id="src-h">By source organisation</h2>
            <Bars items={data.by_source.slice(0, 12)} total={data.objects} label="Objects by source organisation" onPick={(n) => `#/search?source=${encodeURIComponent(n)}`} />
          </section>
        </div>
        <section aria-labelledby="type-h">
          <h2 id="type-h">By type</h2>
          <Bars items={data.by_type.slice(0, 20)} total={data.objects} label="Objects by type" onPick={(n) => `#/search?type=${encodeURIComponent(n)}`} />
          {data.by_type.length > 20 && <p class="hint">{data.by_type.length - 20} more types; use Search to list them.</p>}
        </section>
      </>}
    </main>
  );
}
