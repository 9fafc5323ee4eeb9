import type { Role } from '@app/client';
import { useEffect, useState, type FormEvent } from 'react';
import { ErrorText, formatTime, Section } from '../parts/common';
import { MetricsCharts } from '../parts/metrics-charts';
import { WhatsAppNumbers } from '../parts/whatsapp-numbers';
import { deadlineOf, formatRemaining, useLoad, useNow } from '../hooks';
import { describeError, useClient } from '../session';

/** The admin's page: numbers, accounts and points, the books, Vinted, the system. */
export function AdminPage() {
  return (
    <div className="grid">
      <WhatsAppNumbers admin />
      <TokensOverview />
      <LedgerCheck />
      <Users />
      <Scheduler />
      <VintedSessions />
      <SystemHealth />
      <MetricsCharts />
    </div>
  );
}

interface Overview {
  activeCount: number;
  heldPoints: number;
  active: { seq: number; username: string; points: number; expiresAt: string; secondsRemaining: number }[];
  recentExpiries: { username: string; points: number; releasedAt: string }[];
  sweepRuns: { id: number; trigger: string; tokens: number; users: number; points: number; finishedAt: string }[];
}

/** Every user's holds with live countdowns, the latest expiries and sweeps; re-read every 5 s. */
function TokensOverview() {
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

function LedgerCheck() {
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

function Users() {
  const client = useClient();
  const [account, setAccount] = useState({ username: '', password: '', role: 'customer' as Role });
  const [grant, setGrant] = useState({ username: '', points: '100', reason: '' });
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();

  const run = (action: () => Promise<string>) => async (submitted: FormEvent) => {
    submitted.preventDefault();
    setError(undefined);
    setMessage(undefined);
    try {
      setMessage(await action());
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  const create = run(async () => {
    const { data } = await client.axios.post<{ id: number; username: string; role: Role }>(
      '/api/admin/users/',
      account,
    );
    setAccount({ username: '', password: '', role: account.role });
    return `Created ${data.role} "${data.username}" (id ${data.id}).`;
  });
  const give = run(async () => {
    const { balance } = await client.grantPoints({
      username: grant.username,
      points: Number(grant.points),
      reason: grant.reason || undefined,
    });
    return `Granted ${grant.points} points to ${grant.username}: balance ${balance}.`;
  });

  return (
    <Section title="Users and points">
      <form className="column" onSubmit={(e) => void create(e)} aria-label="Create a user">
        <label>
          New user's name
          <input
            value={account.username}
            onChange={(e) => setAccount({ ...account, username: e.target.value })}
            required
          />
        </label>
        <label>
          New user's password
          <input
            type="password"
            autoComplete="new-password"
            value={account.password}
            onChange={(e) => setAccount({ ...account, password: e.target.value })}
            required
          />
        </label>
        <label>
          Role
          <select value={account.role} onChange={(e) => setAccount({ ...account, role: e.target.value as Role })}>
            <option value="customer">customer</option>
            <option value="vendor">vendor</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit">Create user</button>
      </form>
      <form className="column" onSubmit={(e) => void give(e)} aria-label="Grant points">
        <label>
          Grant to
          <input value={grant.username} onChange={(e) => setGrant({ ...grant, username: e.target.value })} required />
        </label>
        <label>
          Points to grant
          <input
            type="number"
            min={1}
            value={grant.points}
            onChange={(e) => setGrant({ ...grant, points: e.target.value })}
            required
          />
        </label>
        <label>
          Reason
          <input value={grant.reason} onChange={(e) => setGrant({ ...grant, reason: e.target.value })} />
        </label>
        <button type="submit">Grant points</button>
      </form>
      {message ? (
        <p className="ok" role="status">
          {message}
        </p>
      ) : null}
      <ErrorText error={error} />
    </Section>
  );
}

function Scheduler() {
  const client = useClient();
  const state = useLoad((c) => c.getScheduler());
  const [interval, setIntervalText] = useState('');
  const [error, setError] = useState<string>();
  const command = (action: 'start' | 'stop' | 'restart') => async () => {
    setError(undefined);
    try {
      await client.controlScheduler(interval ? { action, intervalMinutes: Number(interval) } : { action });
      state.reload();
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  const value = state.value;
  return (
    <Section title="Vinted scheduler">
      {value ? (
        <dl className="pairs">
          <dt>State</dt>
          <dd role="status" data-testid="scheduler-state">
            {value.isActive ? 'running' : 'stopped'}
          </dd>
          <dt>Interval</dt>
          <dd>{value.intervalMinutes} min</dd>
          <dt>Last run</dt>
          <dd>
            {formatTime(value.lastRunAt)}
            {value.lastRun
              ? ` (checked ${value.lastRun.checked}, refreshed ${value.lastRun.refreshed}, failed ${value.lastRun.failed})`
              : ''}
          </dd>
          <dt>Next run</dt>
          <dd>{formatTime(value.nextRunAt)}</dd>
        </dl>
      ) : null}
      <label>
        Interval (minutes)
        <input
          type="number"
          min={1}
          value={interval}
          placeholder={String(value?.intervalMinutes ?? '')}
          onChange={(e) => setIntervalText(e.target.value)}
        />
      </label>
      <div className="actions">
        <button type="button" onClick={() => void command('start')()}>
          Start
        </button>
        <button type="button" onClick={() => void command('stop')()}>
          Stop
        </button>
        <button type="button" onClick={() => void command('restart')()}>
          Restart
        </button>
      </div>
      <ErrorText error={error ?? state.error} />
    </Section>
  );
}

interface VintedReport {
  statuses: Record<string, number>;
  sessions: {
    username: string;
    status: string;
    accessExpiresAt: string | null;
    lastRefreshedAt: string | null;
    consecutiveFailures: number;
    lastError: string | null;
  }[];
}

/** Every user's Vinted session (`GET /api/admin/vinted/sessions/`, the CLI's `vinted report`). */
function VintedSessions() {
  const report = useLoad((c) => c.axios.get<VintedReport>('/api/admin/vinted/sessions/').then((r) => r.data));
  return (
    <Section title="Vinted sessions">
      <ErrorText error={report.error} />
      {report.value ? (
        <>
          <p data-testid="vinted-summary">
            {Object.entries(report.value.statuses)
              .map(([status, count]) => `${status} ${count}`)
              .join(' · ')}
          </p>
          <table aria-label="Vinted sessions">
            <thead>
              <tr>
                <th>User</th>
                <th>Status</th>
                <th>Expires</th>
                <th>Failures</th>
              </tr>
            </thead>
            <tbody>
              {report.value.sessions.map((session) => (
                <tr key={session.username} title={session.lastError ?? undefined}>
                  <td>{session.username}</td>
                  <td>{session.status}</td>
                  <td>{formatTime(session.accessExpiresAt)}</td>
                  <td>{session.consecutiveFailures}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <button type="button" onClick={report.reload}>
        Refresh list
      </button>
    </Section>
  );
}

interface Health {
  status: string;
  details?: Record<string, { status: string; [key: string]: unknown }>;
}

function SystemHealth() {
  // Read without the client's error mapping: a 503 readiness answer is a report, not a failure.
  const read = (path: string) => () =>
    fetch(path, { headers: { Accept: 'application/json' } }).then((response) => response.json() as Promise<Health>);
  const live = useLoad(read('/api/health'));
  const ready = useLoad(read('/api/health/ready'));
  return (
    <Section title="System">
      <dl className="pairs">
        <dt>Liveness</dt>
        <dd data-testid="health">{live.value?.status ?? live.error ?? '…'}</dd>
        <dt>Readiness</dt>
        <dd data-testid="readiness">{ready.value?.status ?? ready.error ?? '…'}</dd>
        {Object.entries(ready.value?.details ?? {}).map(([name, detail]) => (
          <div key={name} className="pair">
            <dt>{name}</dt>
            <dd>{detail.status}</dd>
          </div>
        ))}
      </dl>
      <button type="button" onClick={() => (live.reload(), ready.reload())}>
        Check again
      </button>
    </Section>
  );
}
