// main.jsx — Accord's web interface: the session (log in, log out, the
// CSRF token kept in memory only), hash routing, the page layout with its
// navigation, and the views.  Every piece of data comes from /api/v1 with
// the user's own session, so the interface shows exactly what the API
// would give that user.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrf, setSessionEndHandler } from './api.js';
import { ErrorBox, Spinner } from './ui.jsx';
import { Login } from './views/login.jsx';
import { Dashboard } from './views/dashboard.jsx';
import { Search } from './views/search.jsx';
import { ObjectPage } from './views/object.jsx';
import { Correlate } from './views/correlate.jsx';
import { Cases, CasePage } from './views/cases.jsx';
import { Import } from './views/import.jsx';
import { Federation } from './views/federation.jsx';
import { Audit } from './views/audit.jsx';

function parseHash() {
  const h = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = h.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, params: Object.fromEntries(new URLSearchParams(query)) };
}

function useRoute() {
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    const on = () => setRoute(parseHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

const NAV = [
  { href: '#/', key: '', label: 'Dashboard' },
  { href: '#/search', key: 'search', label: 'Search' },
  { href: '#/correlate', key: 'correlate', label: 'Correlation' },
  { href: '#/cases', key: 'cases', label: 'Attribution cases' },
  { href: '#/import', key: 'import', label: 'Import' },
  { href: '#/federation', key: 'federation', label: 'Federation' },
  { href: '#/audit', key: 'audit', label: 'Audit log', admin: true },
];

function View({ route, me }) {
  const [a, b] = route.parts;
  const p = route.params;
  switch (a) {
    case undefined: return <Dashboard />;
    case 'search': return <Search params={p} />;
    case 'object': return <ObjectPage id={b} params={p} />;
    case 'correlate': return <Correlate params={p} />;
    case 'cases': return b ? <CasePage id={b} me={me} /> : <Cases me={me} />;
    case 'import': return <Import />;
    case 'federation': return <Federation me={me} />;
    case 'audit': return <Audit me={me} params={p} />;
    default: return <main id="main" tabindex="-1"><h1>Not found</h1><p>There is no page “{a}”. Use the navigation to go on.</p></main>;
  }
}

function App() {
  const route = useRoute();
  const [me, setMe] = useState(undefined); // undefined: checking; null: logged out
  const [error, setError] = useState(null);
  const [ended, setEnded] = useState(false);

  const check = () => {
    setError(null);
    api('/session').then((s) => {
      if (s.session) setCsrf(s.session.csrf_token);
      setMe(s);
    }, (e) => {
      if (e.status === 401) setMe(null); else setError(e);
    });
  };
  useEffect(() => {
    setSessionEndHandler(() => { setCsrf(null); setEnded(true); setMe(null); });
    check();
  }, []);

  const logout = async () => {
    try { await api('/session', { method: 'DELETE' }); } catch (e) { /* ended already */ }
    setCsrf(null);
    setEnded(false);
    setMe(null);
  };

  if (error) return <main id="main" class="center"><ErrorBox error={error} retry={check} /></main>;
  if (me === undefined) return <main id="main" class="center"><Spinner label="Checking your session…" /></main>;
  if (me === null) {
    return <Login ended={ended} onLogin={(s) => { setCsrf(s.session.csrf_token); setEnded(false); setMe(s); }} />;
  }
  const cur = route.parts[0] || '';
  const active = cur === 'object' ? 'search' : cur;
  return (
    <div class="layout">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <a href="#/" class="brand" aria-label="Accord, dashboard"><span aria-hidden="true">◭</span> Accord</a>
        <div class="who">
          <span>{me.user} · {me.org}{me.admin ? ' · administrator' : ''}</span>
          <button type="button" class="link" onClick={logout}>Log out</button>
        </div>
      </header>
      <nav class="side" aria-label="Main">
        <ul>
          {NAV.filter((n) => !n.admin || me.admin).map((n) => (
            <li key={n.key}><a href={n.href} aria-current={active === n.key ? 'page' : undefined}>{n.label}</a></li>
          ))}
        </ul>
      </nav>
      <View route={route} me={me} />
    </div>
  );
}

const root = document.getElementById('app');
root.textContent = ''; // the boot message
render(<App />, root);
