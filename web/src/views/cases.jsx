// cases.jsx — attribution cases (/api/v1/cases): the list, and a case's
// page — the claim, likelihood kept apart from analytic confidence, the
// evidence with Admiralty grades, the caveats Accord derives, the norms
// and EU criteria engaged, the endorsements and whether the rule is met;
// recording the user's organisation's endorsement; building, downloading
// and verifying an evidence pack.
import { useState } from 'preact/hooks';
import { api, saveBlob } from '../api.js';
import { verifyPack } from '../pack.js';
import { ErrorBox, ObjLink, Spinner, TlpBadge, fmtTime, useData, useFocusHeading } from '../ui.jsx';

const RELIABILITY = { A: 'completely reliable', B: 'usually reliable', C: 'fairly reliable', D: 'not usually reliable', E: 'unreliable', F: 'reliability cannot be judged' };
const CREDIBILITY = { 1: 'confirmed by other sources', 2: 'probably true', 3: 'possibly true', 4: 'doubtful', 5: 'improbable', 6: 'truth cannot be judged' };
const NORMS = {
  a: 'cooperate to keep ICT use stable and secure', b: 'weigh all relevant information in an ICT incident', c: 'do not knowingly let your territory be used for wrongful ICT acts',
  d: 'cooperate on information exchange and prosecution', e: 'respect human rights online', f: 'do not damage critical infrastructure serving the public',
  g: 'protect your own critical infrastructure', h: 'answer requests for help', i: 'keep supply chains sound', j: 'encourage responsible vulnerability reporting',
  k: 'do not harm authorised emergency response teams',
};
const human = (k) => String(k).replace(/[-_]/g, ' ');

function Obj({ o }) {
  if (!o) return '—';
  if (o.visible === false) return <span title="Not shared with you">{o.id} <span class="tag">not shared with you</span></span>;
  return <><ObjLink id={o.id} name={o.name || o.id} /> <TlpBadge tlp={o.tlp} /></>;
}

export function Cases() {
  const h1 = useFocusHeading('cases');
  const { data, error, loading, reload } = useData((signal) => api('/cases', { signal }), []);
  return (
    <main id="main" tabindex="-1" data-ready={data ? 'yes' : 'no'}>
      <h1 ref={h1} tabindex="-1">Attribution cases</h1>
      {loading && <Spinner label="Loading cases…" />}
      <ErrorBox error={error} retry={reload} />
      {data && (data.cases.length === 0
        ? <p>No case you may see. Cases are opened with <code>accord case new</code> or <code>POST /api/v1/cases</code>.</p>
        : <div class="tablewrap"><table class="list">
          <caption class="sr-only">Cases</caption>
          <thead><tr><th scope="col">Case</th><th scope="col">Owner</th><th scope="col">Likelihood</th><th scope="col">Analytic confidence</th><th scope="col">Evidence</th><th scope="col">Modified</th></tr></thead>
          <tbody>{data.cases.map((c) => (
            <tr key={c.id}>
              <td><a href={`#/cases/${encodeURIComponent(c.id)}`}>{c.title || c.id}</a></td>
              <td>{c.owner}</td><td>{c.likelihood ? human(c.likelihood) : '—'}</td><td>{c.analytic_confidence || '—'}</td><td>{c.evidence}</td><td>{fmtTime(c.modified)}</td>
            </tr>))}
          </tbody>
        </table></div>)}
    </main>
  );
}

function Endorse({ id, me, onDone }) {
  const [stance, setStance] = useState('concur');
  const [statement, setStatement] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null); setDone(null);
    try {
      await api(`/cases/${encodeURIComponent(id)}/endorsement`, { method: 'POST', body: { stance, statement } });
      setDone(`Recorded: ${me.org} ${stance}s.`);
      onDone();
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="endorse-h">
      <h3 id="endorse-h">Record {me.org}'s endorsement</h3>
      <fieldset class="radios"><legend>Stance</legend>
        {['concur', 'dissent', 'abstain'].map((s) => (
          <label key={s} class="radio"><input type="radio" name="stance" value={s} checked={stance === s} onChange={() => setStance(s)} /> {s}</label>
        ))}
      </fieldset>
      <label for="e-stmt">Statement</label>
      <textarea id="e-stmt" rows="3" required value={statement} onInput={(e) => setStatement(e.currentTarget.value)} placeholder="What your organisation says, for the record" />
      <ErrorBox error={error} />
      {done && <p class="ok" role="status">{done}</p>}
      <div class="actions"><button type="submit" class="primary" disabled={busy}>{busy ? 'Recording…' : 'Record endorsement'}</button></div>
      <p class="hint">Answering again replaces your organisation's earlier stance (a new version of the same opinion).</p>
    </form>
  );
}

function Pack({ k, me }) {
  const [release, setRelease] = useState('clear');
  const [draft, setDraft] = useState(false);
  const [phase, setPhase] = useState(null);
  const [built, setBuilt] = useState(null);
  const [error, setError] = useState(null);
  const [report, setReport] = useState(null);
  const owner = k.owner === me.org;
  const build = async (e) => {
    e.preventDefault();
    setError(null); setReport(null); setBuilt(null); setPhase('Building the pack (reading every exhibit through the sharing policy, signing)…');
    try {
      setBuilt(await api(`/cases/${encodeURIComponent(k.id)}/pack`, { method: 'POST', body: { release, draft } }));
    } catch (err) { setError(err); } finally { setPhase(null); }
  };
  const download = async () => {
    setError(null); setPhase('Downloading the pack…');
    try {
      const blob = await api(built.download, { raw: true, headers: { Accept: 'application/x-tar, application/json' } });
      const name = `case-${k.id.split('--').pop()}-${release}.tar`;
      saveBlob(blob, name);
      setPhase('Verifying the downloaded pack…');
      setReport(await verifyPack(await blob.arrayBuffer(), built.key_id));
    } catch (err) { setError(err); } finally { setPhase(null); }
  };
  const verifyFile = async (e) => {
    const f = e.currentTarget.files[0];
    if (!f) return;
    setError(null); setPhase(`Verifying ${f.name}…`);
    try { setReport(await verifyPack(await f.arrayBuffer(), null)); } catch (err) { setError(err); } finally { setPhase(null); }
  };
  return (
    <section class="card" aria-labelledby="pack-h">
      <h2 id="pack-h">Evidence pack</h2>
      {owner ? (
        <form onSubmit={build}>
          <div class="grid">
            <div><label for="p-rel">Release level</label>
              <select id="p-rel" value={release} onChange={(e) => setRelease(e.currentTarget.value)}>
                <option value="clear">TLP:CLEAR (public statement)</option>
                <option value="green">TLP:GREEN (community)</option>
              </select></div>
            <div><label class="radio"><input type="checkbox" checked={draft} onChange={(e) => setDraft(e.currentTarget.checked)} /> Draft (even if the rule is not met)</label></div>
          </div>
          <div class="actions"><button type="submit" class="primary" disabled={!!phase}>Build pack</button></div>
        </form>
      ) : <p class="hint">Only {k.owner}, whose case it is, builds its packs. You can verify a pack you were sent:</p>}
      {phase && <Spinner label={phase} />}
      <ErrorBox error={error} />
      {built && (
        <div class="packinfo">
          <p>Built at <TlpBadge tlp={built.release} />{built.draft ? ' (draft)' : ''}: {built.exhibits} exhibit(s) released, {built.withheld} withheld, {built.objects} object(s); signed by {built.signer}, key <code>{built.key_id}</code>.</p>
          <div class="tablewrap"><table class="list">
            <caption class="sr-only">Files of the pack</caption>
            <thead><tr><th scope="col">File</th><th scope="col">Size</th><th scope="col">SHA-256</th></tr></thead>
            <tbody>{built.files.map((f) => <tr key={f.name}><td><code>{f.name}</code></td><td>{f.size.toLocaleString()}</td><td><code class="small">{f.sha256}</code></td></tr>)}</tbody>
          </table></div>
          <div class="actions"><button type="button" class="primary" onClick={download} disabled={!!phase}>Download and verify</button></div>
        </div>
      )}
      <label for="p-verify">Verify a pack file (.tar)</label>
      <input id="p-verify" type="file" accept=".tar,application/x-tar" onChange={verifyFile} />
      {report && (
        <div class={`verify ${report.ok ? 'good' : 'badbox'}`} role="status">
          <p><strong>{report.ok ? 'The pack verifies: every file matches MANIFEST and the signature holds.' : 'The pack does NOT verify.'}</strong>{report.signer ? ` Signer: ${report.signer}.` : ''}</p>
          <ul>{report.checks.map((c, i) => <li key={i}><span aria-hidden="true">{c.ok ? '✔' : '✘'}</span> <span class="sr-only">{c.ok ? 'passed' : 'failed'}:</span> {c.what}{c.detail ? ` — ${c.detail}` : ''}</li>)}</ul>
          {report.keyText && <p class="hint">Public key: <code class="small">{report.keyText}</code> — compare it with the one the signing organisation published (<code>accord key export</code>).</p>}
        </div>
      )}
    </section>
  );
}

export function CasePage({ id, me }) {
  const h1 = useFocusHeading(id);
  const { data: k, error, loading, reload } = useData((signal) => api(`/cases/${encodeURIComponent(id)}`, { signal }), [id]);
  const rule = k && k.endorsement;
  return (
    <main id="main" tabindex="-1" data-ready={k ? 'yes' : 'no'}>
      <p class="crumbs"><a href="#/cases">Attribution cases</a> › <code>{id}</code></p>
      <h1 ref={h1} tabindex="-1">{k ? k.title : 'Case'}</h1>
      {loading && !k && <Spinner label="Loading the case…" />}
      <ErrorBox error={error} retry={reload} />
      {k && <>
        <div class="meta card"><dl>
          <dt>TLP</dt><dd><TlpBadge tlp={k.tlp} /></dd>
          <dt>Owner</dt><dd>{k.owner}</dd>
          <dt>Created</dt><dd>{fmtTime(k.created)}</dd>
          <dt>Modified</dt><dd>{fmtTime(k.modified)}</dd>
        </dl>{k.description && <p class="desc">{k.description}</p>}</div>

        <section aria-labelledby="claim-h"><h2 id="claim-h">Claim</h2>
          <div class="card claim">
            <p>Operation <Obj o={k.claim.operation} /></p>
            <p>attributed to <Obj o={k.claim.actor} /></p>
            <p>acting for <Obj o={k.claim.state} /></p>
            {k.likelihood && <p><strong>Likelihood:</strong> {k.likelihood.label} ({k.likelihood.range}, {k.likelihood.scale.toUpperCase()}; STIX confidence {k.likelihood.stix_confidence}).</p>}
            <p><strong>Analytic confidence:</strong> {k.analytic_confidence} — a separate judgement of the evidence base, not a probability.</p>
            {k.supported_likelihood && k.likelihood && k.supported_likelihood.term !== k.likelihood.term && <p class="note">The evidence supports at most “{human(k.supported_likelihood.term)}” ({k.supported_likelihood.range}).</p>}
          </div>
        </section>

        <section aria-labelledby="ev-h"><h2 id="ev-h">Evidence <span class="count">({k.evidence.length}{k.evidence_not_visible ? `, and ${k.evidence_not_visible} not shared with you` : ''})</span></h2>
          <div class="tablewrap"><table class="list evidence">
            <caption class="sr-only">Evidence items</caption>
            <thead><tr><th scope="col">#</th><th scope="col">Summary</th><th scope="col">Grade</th><th scope="col">Category</th><th scope="col">Supports</th><th scope="col">Releasable</th><th scope="col">Objects</th><th scope="col">Sources</th></tr></thead>
            <tbody>{k.evidence.map((e) => (
              <tr key={e.id}>
                <td>{e.label}</td>
                <td>{e.summary}{e.observed && <div class="hint">observed {fmtTime(e.observed)}</div>}</td>
                <td><abbr title={`${e.grade[0]}: ${RELIABILITY[e.grade[0]] || '?'}; ${e.grade.slice(1)}: ${CREDIBILITY[e.grade.slice(1)] || '?'}`} class="grade">{e.grade}</abbr><div class="hint">{RELIABILITY[e.grade[0]]}, {CREDIBILITY[e.grade.slice(1)]}</div></td>
                <td>{human(e.category)}</td>
                <td>{e.supports.join(', ') || '—'}</td>
                <td><TlpBadge tlp={e.releasability} />{e.material_tlp !== e.releasability && <div class="hint">material <TlpBadge tlp={e.material_tlp} /></div>}</td>
                <td>{e.refs.map((o) => <div key={o.id}><Obj o={o} /></div>)}</td>
                <td>{e.sources.join(', ')}{e.protect_source && <span class="tag">protected</span>}</td>
              </tr>))}
            </tbody>
          </table></div>
        </section>

        <section aria-labelledby="cav-h"><h2 id="cav-h">Caveats <span class="count">({k.caveats.length})</span></h2>
          {k.caveats.length === 0 ? <p class="hint">None derived.</p> : <ul class="caveats">{k.caveats.map((c, i) => (
            <li key={i} class="card"><span class="tag bad">{human(c.kind)}</span> {c.text}{c.evidence_refs.length > 0 && <span class="hint"> (evidence {c.evidence_refs.map((r) => k.evidence.find((e) => e.id === r)?.label || r).join(', ')})</span>}</li>))}</ul>}
        </section>

        <div class="cols">
          <section aria-labelledby="norms-h"><h2 id="norms-h">Norms violated (UN GGE 2015)</h2>
            {k.norms.length === 0 ? <p class="hint">None stated.</p> : <ul>{k.norms.map((n, i) => {
              const key = typeof n === 'string' ? n : n.norm;
              return <li key={i}><strong>§13 ({key})</strong> {(typeof n === 'object' && n.text) || NORMS[key] || ''}</li>;
            })}</ul>}
            {k.nis2_sectors.length > 0 && <p><strong>NIS2 sectors hit:</strong> {k.nis2_sectors.map(human).join(', ')}</p>}
          </section>
          <section aria-labelledby="eu-h"><h2 id="eu-h">EU cyber-sanctions criteria (2019/796)</h2>
            {Array.isArray(k.eu_2019_796) || !k.eu_2019_796 ? <p class="hint">None stated.</p> : <dl class="eu">
              {['actions', 'targets', 'effect_factors'].flatMap((f) => [<dt key={`${f}-t`}>{human(f)}</dt>, <dd key={`${f}-d`}>{(k.eu_2019_796[f] || []).map(human).join('; ') || '—'}</dd>])}
            </dl>}
            {k.measures.length > 0 && <p><strong>Measures:</strong> {k.measures.join('; ')}</p>}
          </section>
        </div>

        <section aria-labelledby="end-h"><h2 id="end-h">Endorsements</h2>
          <p>Rule: <strong>{rule.rule === 'quorum' ? `a quorum of ${rule.quorum}` : 'unanimity'}</strong> of {rule.partners.join(', ') || 'no named partners'} —{' '}
            <span class={`tag ${rule.met ? 'ok' : 'bad'}`}>{rule.met ? 'rule met' : 'rule not met'}</span>{' '}
            ({rule.concur} concur, {rule.dissent} dissent, {rule.abstain} abstain, {rule.pending} pending)</p>
          {rule.answered.length + rule.others.length > 0 && <div class="tablewrap"><table class="list">
            <caption class="sr-only">Endorsements recorded</caption>
            <thead><tr><th scope="col">Organisation</th><th scope="col">Stance</th><th scope="col">Statement</th><th scope="col">By</th><th scope="col">When</th></tr></thead>
            <tbody>{[...rule.answered, ...rule.others].map((en) => (
              <tr key={en.id}><td>{en.org}{rule.partners.includes(en.org) ? '' : <span class="tag">not a named partner</span>}</td><td><span class={`tag ${en.stance === 'concur' ? 'ok' : en.stance === 'dissent' ? 'bad' : ''}`}>{en.stance}</span></td><td>{en.statement}</td><td>{en.by}</td><td>{fmtTime(en.at)}</td></tr>))}
            </tbody>
          </table></div>}
          {rule.not_answered.length > 0 && <p class="hint">Not answered yet: {rule.not_answered.join(', ')}.</p>}
          <Endorse id={k.id} me={me} onDone={reload} />
        </section>

        <Pack k={k} me={me} />
      </>}
    </main>
  );
}
