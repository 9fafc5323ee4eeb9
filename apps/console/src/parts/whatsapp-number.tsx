import type { WhatsAppNumber } from '@app/client';
import { useEffect, useState } from 'react';
import { ErrorText, QrImage } from './common';
import { describeError, useClient } from '../session';

/**
 * One WhatsApp number, live: its state from `GET …/:id/events/` (the current `status` first,
 * then every worker event), its QR code with "attempt n/3", and the actions the viewer may take.
 */
export function WhatsAppNumberCard({ initial, admin }: { initial: WhatsAppNumber; admin: boolean }) {
  const client = useClient();
  const [number, setNumber] = useState(initial);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    const abort = new AbortController();
    void client
      .followNumberEvents(initial.id, {
        signal: abort.signal,
        onEvent: (event) => {
          switch (event.type) {
            case 'status':
              setNumber(event.data);
              break;
            case 'qr_generated':
              setNumber((n) => ({
                ...n,
                status: 'qr_ready',
                qrCode: event.data.qrCode,
                workerId: event.data.workerId,
              }));
              break;
            case 'qr_regenerating':
              setNumber((n) => ({
                ...n,
                status: 'regenerating',
                attempt: event.data.attempt,
                maxAttempts: event.data.maxAttempts,
              }));
              setMessage(event.data.message);
              break;
            case 'connected':
              setNumber((n) => ({ ...n, status: 'connected', qrCode: null, workerId: event.data.workerId }));
              setMessage(event.data.message);
              break;
            case 'error':
              setNumber((n) => ({ ...n, status: 'failed', qrCode: null, lastError: event.data.error }));
              break;
          }
        },
      })
      .catch((failure: unknown) => setError(describeError(failure)));
    return () => abort.abort();
  }, [client, initial.id]);

  const act = (action: () => Promise<unknown>) => () => {
    setError(undefined);
    action().catch((failure: unknown) => setError(describeError(failure)));
  };
  const path = `/api/whatsapp/numbers/${number.id}/`;
  return (
    <li className="number" aria-label={`WhatsApp ${number.phoneNumber}`}>
      <div className="number-head">
        <strong>{number.phoneNumber}</strong>
        <span className={`badge badge-${number.status}`} role="status">
          {number.status}
        </span>
      </div>
      <p className="muted">
        attempt {number.attempt}/{number.maxAttempts}
        {number.workerId ? ` · worker ${number.workerId}` : ''}
      </p>
      {number.qrCode && number.status !== 'connected' ? (
        <QrImage src={number.qrCode} of={`WhatsApp ${number.phoneNumber}`} />
      ) : null}
      {message ? <p className="muted">{message}</p> : null}
      {number.lastError && number.status === 'failed' ? <p className="error">{number.lastError}</p> : null}
      <div className="actions">
        <button type="button" onClick={act(() => client.validateNumber(number.id))}>
          Validate
        </button>
        {admin ? (
          <>
            <button type="button" onClick={act(() => client.regenerateQr(number.id))}>
              Regenerate QR
            </button>
            <button type="button" onClick={act(() => client.axios.post(`${path}simulate-scan/`))}>
              Simulate scan
            </button>
          </>
        ) : null}
      </div>
      <ErrorText error={error} />
    </li>
  );
}
