import { useState } from 'react';
import { useLoad } from '../hooks';
import { ErrorText, formatTime, Section } from '../parts/common';
import { describeError, useClient } from '../session';

export function Scheduler() {
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
export function VintedSessions() {
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
