import { useLoad } from '../hooks';
import { Section } from '../parts/common';

interface Health {
  status: string;
  details?: Record<string, { status: string; [key: string]: unknown }>;
}

export function SystemHealth() {
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
