// federation.jsx — federation peers and their sync health for
// administrators (GET /api/v1/peers): direction, last attempt, failures
// and the last error with what to do, pull and push lag, counters and
// watermarks.  Other users are told who to ask.
import { api } from '../api.js';
import { ErrorBox, Spinner, fmtTime, useData, useFocusHeading } from '../ui.jsx';

function lag(s) {
  if (s === null || s === undefined) return '—';
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

export function Federation({ me }) {
  const h1 = useFocusHeading('federation');
  const { data, error, loading, reload } = useData(
    (signal) => (me.admin ? api('/peers', { signal }) : Promise.resolve(null)), [me.admin],
  );
  if (!me.admin) {
    return (
      <main id="main" tabindex="-1" data-ready="yes">
        <h1 ref={h1} tabindex="-1">Federation</h1>
        <p>Peers and their synchronisation are managed by this instance's administrators (<code>accord peer</code>). Ask one of them about a partner's feed.</p>
      </main>
    );
  }
  return (
    <main id="main" tabindex="-1" data-ready={data ? 'yes' : 'no'}>
      <h1 ref={h1} tabindex="-1">Federation</h1>
      {loading && <Spinner label="Reading the peers' status…" />}
      <ErrorBox error={error} retry={reload} />
      {data && (data.peers.length === 0
        ? <p>No peers. Add one with <code>accord peer add NAME --url URL --org ORG …</code> (see <code>accord help peer</code>).</p>
        : <>
          <div class="tablewrap"><table class="list peers">
            <caption class="sr-only">Federation peers</caption>
            <thead><tr><th scope="col">Peer</th><th scope="col">Direction</th><th scope="col">Health</th><th scope="col">Pull lag</th><th scope="col">Push lag</th><th scope="col">Last attempt</th><th scope="col">Last error</th></tr></thead>
            <tbody>{data.peers.map((p) => {
              const st = p.status || {};
              const health = st.health || 'unknown';
              return (
                <tr key={p.name}>
                  <td><strong>{p.name}</strong><div class="hint">{p.org} · <code class="small">{p.url}</code>{p.enabled === false ? ' · disabled' : ''}</div></td>
                  <td>{p.direction}</td>
                  <td><span class={`tag ${health === 'ok' ? 'ok' : health === 'failing' ? 'bad' : ''}`}>{health}</span>{st.failures ? <div class="hint">{st.failures} failure(s) in a row</div> : null}</td>
                  <td>{st.pull ? lag(st.pull.lag_s) : '—'}{st.pull && <div class="hint">{st.pull.pulled} pulled, {st.pull.rejected} refused</div>}</td>
                  <td>{st.push ? lag(st.push.lag_s) : '—'}{st.push && <div class="hint">{st.push.pending >= 0 ? `${st.push.pending} waiting, ` : ''}{st.push.pushed} pushed, {st.push.withheld} withheld by policy</div>}</td>
                  <td>{fmtTime(st.last_attempt)}</td>
                  <td>{st.last_error ? <><span class="bad">{st.last_error.message}</span><div class="hint">{fmtTime(st.last_error.at)} — check the peer's URL, credentials (<code>accord peer secret</code>) and that it is up; <code>accord sync {p.name}</code> retries now.</div></> : '—'}</td>
                </tr>
              );
            })}</tbody>
          </table></div>
          <p class="hint">Pull lag: time since a pull last caught up with the peer. Push lag: age of the oldest local version not yet offered to the peer.</p>
        </>)}
    </main>
  );
}
