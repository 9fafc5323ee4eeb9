import { useEffect, useState } from 'react';
import { deadlineOf, formatRemaining, useLoad, useNow } from '../hooks';
import { ErrorText, formatTime, Section } from '../parts/common';
import { describeError, useClient } from '../session';

interface Overview {
  activeCount: number;
  heldPoints: number;
  active: { seq: number; username: string; points: number; expiresAt: string; secondsRemaining: number }[];
  recentExpiries: { username: string; points: number; releasedAt: string }[];
  sweepRuns: { id: number; trigger: string; tokens: number; users: number; points: number; finishedAt: string }[];
}

/** Every user's holds with live countdowns, the latest expiries and sweeps; re-read every 5 s. */
export function TokensOverview() {
  const overview = useLoad((c) => c.axios.get<Overview>('/api/admin/ledger/tokens/').then((r) => r.data));
  const now = useNow(500);
  const { reload } = overview;
  // `reload` only bumps a counter: the first one serves for good (a dependency would restart the timer every render).
  useEffect(() => {
    const timer = window.setInterval(reload, 5_000);
    return () => window.clearInterval(timer);
  }, []);
  const value = overview.value;
  return (
    <Section title="Exchange tokens">
      <ErrorText error={overview.error} />
      {value ? (
        <>
          <p data-testid="holds-summary">
            {value.activeCount} active holds, {value.heldPoints} points held
          </p>
          <table aria-label="Active holds">
            <thead>
              <tr>
                <th>Customer</th>
                <th>Points</th>
                <th>Expires in</th>
              </tr>
            </thead>
            <tbody>
              {value.active.map((hold) => (
                <tr key={hold.seq}>
                  <td>{hold.username}</td>
                  <td>{hold.points}</td>
                  <td role="timer">{formatRemaining(deadlineOf(hold.secondsRemaining, overview.readAt), now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Recent expiries</h3>
          <table aria-label="Recent expiries">
            <tbody>
              {value.recentExpiries.map((expiry) => (
                <tr key={`${expiry.releasedAt}-${expiry.username}-${expiry.points}`}>
                  <td>{expiry.username}</td>
                  <td>+{expiry.points} restored</td>
                  <td>{formatTime(expiry.releasedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Sweep runs</h3>
          <table aria-label="Sweep runs">
            <tbody>
              {value.sweepRuns.map((run) => (
                <tr key={run.id}>
                  <td>{run.trigger}</td>
                  <td>
                    {run.tokens} tokens, {run.points} points
                  </td>
                  <td>{formatTime(run.finishedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Section>
  );
}

interface Verification {
  accounts: number;
  problems: string[];
}

export function LedgerCheck() {
  const client = useClient();
  const [report, setReport] = useState<Verification>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const verify = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setReport((await client.axios.get<Verification>('/api/admin/ledger/verify/')).data);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="The books">
      <p className="muted">Checks every account's balance and held points against the journal and the active tokens.</p>
      <button type="button" onClick={() => void verify()} disabled={busy}>
        Verify ledger
      </button>
      <ErrorText error={error} />
      {report ? (
        <div role="status" data-testid="ledger-report">
          {report.problems.length === 0 ? (
            <p className="ok">No drift: {report.accounts} accounts match the journal.</p>
          ) : (
            <>
              <p className="error">
                Drift in {report.problems.length} place(s) over {report.accounts} accounts:
              </p>
              <ul>
                {report.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      ) : null}
    </Section>
  );
}
