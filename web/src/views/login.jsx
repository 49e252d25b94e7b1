// login.jsx — the login form: the same user names and passwords as the
// API's HTTP Basic; the server answers with a session cookie (HttpOnly,
// SameSite=Strict) and a CSRF token kept in memory.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox } from '../ui.jsx';

export function Login({ onLogin, ended }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await api('/session', { method: 'POST', body: { user, password } });
      setPassword('');
      onLogin(s);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="login" tabindex="-1">
      <form onSubmit={submit} class="card" aria-labelledby="login-title">
        <h1 id="login-title">Log in to Accord</h1>
        {ended && <p class="note" role="status">Your session has ended. Log in again to go on.</p>}
        <label for="user">User name</label>
        <input id="user" name="user" autocomplete="username" required autofocus value={user} onInput={(e) => setUser(e.currentTarget.value)} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
        <p class="hint">The same accounts as the API. An administrator creates them with <code>accord user add</code>.</p>
      </form>
    </main>
  );
}
