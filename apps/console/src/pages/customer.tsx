import type { ExchangeToken } from '@app/client';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorText, formatTime, QrImage, Section } from '../parts/common';
import { WhatsAppNumbers } from '../parts/whatsapp-numbers';
import { deadlineOf, formatRemaining, useLoad, useNow, useOwnEvents } from '../hooks';
import { describeError, newIdempotencyKey, useClient } from '../session';

/** What became of the token on display, as the events stream tells it. */
type Outcome = { kind: 'active' } | { kind: 'redeemed'; points: number } | { kind: 'expired'; restored: number };

/** The customer's page: points, a token to show the vendor, its live outcome, history, numbers, Vinted. */
export function CustomerPage() {
  const client = useClient();
  const points = useLoad((c) => c.getPoints());
  const history = useLoad((c) => c.getExchangeTokenStatus({ limit: 10 }));
  const journal = useLoad((c) => c.getLedger({ limit: 10 }));
  const [current, setCurrent] = useState<ExchangeToken & { deadline: number }>();
  const [currentId, setCurrentId] = useState<number>();
  /** Token ids by expiry instant, from `ledger.token.created`: the event may come before the creation's answer. */
  const createdIds = useRef(new Map<number, number>());
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'active' });
  const [amount, setAmount] = useState('100');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const now = useNow();

  const reloadAll = () => {
    points.reload();
    history.reload();
    journal.reload();
  };

  useOwnEvents((event) => {
    const { data } = event;
    // Events name tokens by id, never by their secret string: the creation event's expiry tells which is ours.
    if (event.type === 'ledger.token.created') {
      createdIds.current.set(Date.parse(String(data.expiresAt)), Number(data.tokenId));
    }
    const id = currentId ?? (current ? createdIds.current.get(Date.parse(current.expiresAt)) : undefined);
    if (id !== undefined && id !== currentId) {
      setCurrentId(id);
    }
    const mine = id !== undefined && Number(data.tokenId) === id;
    if (event.type === 'ledger.token.redeemed' && mine) {
      setOutcome({ kind: 'redeemed', points: Number(data.points) });
    }
    if (event.type === 'ledger.token.expired' && mine) {
      setOutcome({ kind: 'expired', restored: Number(data.pointsRestored) });
    }
    if (event.type.startsWith('ledger.')) {
      reloadAll();
    }
  }, reloadAll);

  // Should an event go unmatched, the history (re-read after every ledger event) tells the token's
  // fate by the token itself: used, or gone from the list once past its expiry (the sweep released it).
  useEffect(() => {
    if (!current || !history.value) {
      return;
    }
    const listed = history.value.tokens.find((token) => token.token === current.token);
    if (listed?.status === 'used') {
      setOutcome((o) => (o.kind === 'active' ? { kind: 'redeemed', points: listed.points } : o));
    } else if (listed?.status === 'expired' || (!listed && history.readAt > current.deadline)) {
      setOutcome((o) => (o.kind === 'active' ? { kind: 'expired', restored: current.points } : o));
    }
  }, [history.value, history.readAt, current]);

  const create = async (submitted: FormEvent) => {
    submitted.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // One key per click: a retried request (network blip) can never hold the points twice.
      const token = await client.createExchangeToken(Number(amount), { idempotencyKey: newIdempotencyKey() });
      setCurrent({ ...token, deadline: deadlineOf(token.expiresInSeconds, Date.now()) });
      setCurrentId(undefined);
      setOutcome({ kind: 'active' });
      reloadAll();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  const expired = current !== undefined && current.deadline <= now;
  return (
    <div className="grid">
      <Section title="Points">
        <dl className="figures">
          <div>
            <dt>Balance</dt>
            <dd data-testid="balance">{points.value?.balance ?? '…'}</dd>
          </div>
          <div>
            <dt>Held</dt>
            <dd data-testid="held">{points.value?.held ?? '…'}</dd>
          </div>
        </dl>
        <ErrorText error={points.error} />
        <form className="row" onSubmit={(e) => void create(e)}>
          <label>
            Points
            <input type="number" min={1} step={1} value={amount} onChange={(e) => setAmount(e.target.value)} required />
          </label>
          <button type="submit" disabled={busy}>
            Create token
          </button>
        </form>
        <ErrorText error={error} />
      </Section>

      {current ? (
        <Section title="Token to show the vendor">
          <div className="token">
            <QrImage src={current.qrCode} of={`exchange token worth ${current.points} points`} large />
            <p className="token-text" data-testid="token-text">
              {current.token}
            </p>
            <p className="outcome" role="status" data-testid="token-outcome">
              {outcome.kind === 'redeemed'
                ? `Redeemed: ${outcome.points} points captured`
                : outcome.kind === 'expired'
                  ? `Expired, ${outcome.restored} points restored`
                  : expired
                    ? 'Expiring…'
                    : `${current.points} points on hold`}
            </p>
            {outcome.kind === 'active' ? (
              <p className="countdown" role="timer" aria-label="Time left">
                Expires in {formatRemaining(current.deadline, now)}
              </p>
            ) : null}
          </div>
        </Section>
      ) : null}

      <Section title="Token history">
        <ErrorText error={history.error} />
        <table>
          <thead>
            <tr>
              <th>Points</th>
              <th>Status</th>
              <th>Expires</th>
            </tr>
          </thead>
          <tbody>
            {history.value?.tokens.map((token) => (
              <tr key={token.token}>
                <td>{token.points}</td>
                <td>{token.status}</td>
                <td>
                  {token.status === 'active'
                    ? formatRemaining(deadlineOf(token.secondsRemaining, history.readAt), now)
                    : formatTime(token.expiresAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Journal">
        <ErrorText error={journal.error} />
        <table>
          <thead>
            <tr>
              <th>Entry</th>
              <th>Points</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {journal.value?.entries.map((entry) => (
              <tr key={entry.id}>
                <td>{entry.type}</td>
                <td>{entry.points}</td>
                <td>{formatTime(entry.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <WhatsAppNumbers admin={false} />
      <VintedStatus />
    </div>
  );
}

/** The user's own Vinted session (never a token: the API sends none). */
export function VintedStatus() {
  const vinted = useLoad((c) => c.getVintedAuth());
  return (
    <Section title="Vinted session">
      <ErrorText error={vinted.error} />
      {vinted.value ? (
        <dl className="pairs">
          <dt>Status</dt>
          <dd data-testid="vinted-status">{vinted.value.status}</dd>
          <dt>Expires</dt>
          <dd>{formatTime(vinted.value.expiresAt)}</dd>
          <dt>Last refreshed</dt>
          <dd>{formatTime(vinted.value.lastRefreshedAt)}</dd>
          {vinted.value.lastError ? (
            <>
              <dt>Last error</dt>
              <dd>{vinted.value.lastError}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
    </Section>
  );
}
