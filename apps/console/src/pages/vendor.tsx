import { HourglassApiError } from '@app/client';
import { useState, type FormEvent } from 'react';
import { CameraScanner } from '../parts/camera-scanner';
import { ErrorText, Section } from '../parts/common';
import { describeError, useClient } from '../session';

/** What a scan came to, in the vendor's words. */
type ScanResult =
  | { kind: 'captured'; points: number; customer: string }
  | { kind: 'used' }
  | { kind: 'expired'; restored: number }
  | { kind: 'unknown' };

function resultText(result: ScanResult): string {
  switch (result.kind) {
    case 'captured':
      return `Captured ${result.points} points from ${result.customer}`;
    case 'used':
      return 'Already used: this token was redeemed before';
    case 'expired':
      return `Expired: ${result.restored} points restored to the customer`;
    case 'unknown':
      return 'Unknown token';
  }
}

/** The vendor's scan page: the token from the camera or pasted as text, then what it was worth. */
export function VendorPage() {
  const client = useClient();
  const [text, setText] = useState('');
  const [result, setResult] = useState<ScanResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const redeem = async (token: string) => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const { exchangeRequest } = await client.validateExchangeToken(token.trim());
      setResult({ kind: 'captured', points: exchangeRequest.points, customer: exchangeRequest.customer });
      setText('');
    } catch (failure) {
      const known = failure instanceof HourglassApiError ? failure : undefined;
      if (known?.code === 'token_already_used') {
        setResult({ kind: 'used' });
      } else if (known?.code === 'token_expired') {
        setResult({ kind: 'expired', restored: Number(known.body.pointsRestored ?? 0) });
      } else if (known?.code === 'token_not_found') {
        setResult({ kind: 'unknown' });
      } else {
        setError(describeError(failure));
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (submitted: FormEvent) => {
    submitted.preventDefault();
    void redeem(text);
  };

  return (
    <div className="grid">
      <Section title="Scan a token">
        <CameraScanner onToken={(token) => void redeem(token)} />
        <form className="column" onSubmit={submit}>
          <label>
            Token
            <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} required />
          </label>
          <button type="submit" disabled={busy}>
            Redeem
          </button>
        </form>
        <ErrorText error={error} />
        {result ? (
          <p className={`result result-${result.kind}`} role="status" data-testid="scan-result">
            {resultText(result)}
          </p>
        ) : null}
      </Section>
    </div>
  );
}
