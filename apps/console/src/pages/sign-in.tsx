import { useState, type FormEvent } from 'react';
import { ErrorText } from '../parts/common';
import { describeError, sessionOf, useClient, type Session } from '../session';

/** `POST /api/token/` through the client, which keeps the pair (in memory) and refreshes it. */
export function SignIn({ onSignedIn, notice }: { onSignedIn: (session: Session) => void; notice?: string }) {
  const client = useClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (submitted: FormEvent) => {
    submitted.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const pair = await client.obtainToken({ username, password });
      onSignedIn(sessionOf(pair.access, username));
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>Hourglass</h1>
      <form className="card column" onSubmit={(e) => void submit(e)}>
        <h2>Sign in</h2>
        {notice ? <p className="muted">{notice}</p> : null}
        <label>
          Username
          <input autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <ErrorText error={error} />
      </form>
    </main>
  );
}
