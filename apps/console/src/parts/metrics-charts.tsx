import { useEffect, useState } from 'react';
import { ErrorText, Section } from './common';

/** Every 5 s, the last 5 minutes: a glance, not a monitoring system (Prometheus scrapes /metrics for that). */
const POLL_MS = 5_000;
const KEEP = 60;

/** Sums of the samples of a Prometheus text exposition, by metric name (labels summed over). */
export function sumByName(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    const value = match ? Number(match[2]) : NaN;
    if (match && Number.isFinite(value)) {
      sums.set(match[1], (sums.get(match[1]) ?? 0) + value);
    }
  }
  return sums;
}

interface Sample {
  at: number;
  sums: Map<string, number>;
}

interface Series {
  title: string;
  unit: string;
  /** One point per sample (after the first, for rates). */
  points: (samples: Sample[]) => number[];
}

const gauge = (name: string) => (samples: Sample[]) => samples.map((s) => s.sums.get(name) ?? 0);
/** Per second between consecutive samples (counters restart at 0 with the process: clamped). */
const rate = (name: string) => (samples: Sample[]) =>
  samples
    .slice(1)
    .map((s, i) =>
      Math.max(0, ((s.sums.get(name) ?? 0) - (samples[i].sums.get(name) ?? 0)) / ((s.at - samples[i].at) / 1000)),
    );

const SERIES: Series[] = [
  { title: 'Request rate', unit: 'req/s', points: rate('http_request_duration_seconds_count') },
  { title: 'Expiry lag', unit: 's', points: gauge('hourglass_expiry_lag_seconds') },
  { title: 'Outbox backlog', unit: 'events', points: gauge('hourglass_outbox_backlog_events') },
  { title: 'Tokens expired', unit: '/s', points: rate('hourglass_exchange_tokens_expired_total') },
  { title: 'Expiry sweep runs', unit: '/s', points: rate('hourglass_expiry_sweep_duration_seconds_count') },
];

/** Small charts read from `GET /metrics` (public unless METRICS_TOKEN is set; then its refusal is shown). */
export function MetricsCharts() {
  const [samples, setSamples] = useState<Sample[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    const poll = async () => {
      try {
        const response = await fetch('/metrics');
        if (!response.ok) {
          const body = (await response.json().catch(() => ({}))) as { detail?: string };
          throw new Error(
            `/metrics answered ${response.status}: ${body.detail ?? response.statusText} (METRICS_TOKEN is set)`,
          );
        }
        const sample = { at: Date.now(), sums: sumByName(await response.text()) };
        if (live) {
          setSamples((previous) => [...previous, sample].slice(-KEEP));
          setError(undefined);
        }
      } catch (failure) {
        if (live) {
          setError(failure instanceof Error ? failure.message : String(failure));
        }
      }
    };
    void poll();
    const timer = window.setInterval(() => void poll(), POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);
  return (
    <Section title="Metrics">
      <ErrorText error={error} />
      <div className="charts">
        {SERIES.map((series) => (
          <Sparkline key={series.title} title={series.title} unit={series.unit} values={series.points(samples)} />
        ))}
      </div>
    </Section>
  );
}

function Sparkline({ title, unit, values }: { title: string; unit: string; values: number[] }) {
  const width = 160;
  const height = 40;
  const max = Math.max(...values, 1e-9);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const path = values
    .map((v, i) => `${(i * step).toFixed(1)},${(height - (v / max) * (height - 2) - 1).toFixed(1)}`)
    .join(' ');
  const last = values.at(-1);
  return (
    <figure className="chart">
      <figcaption>
        {title}:{' '}
        <strong>{last === undefined ? '…' : `${last < 10 ? last.toFixed(2) : Math.round(last)} ${unit}`}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title} over the last ${values.length} samples`}>
        <polyline points={path} fill="none" stroke="currentColor" strokeWidth="1.5" />
      </svg>
    </figure>
  );
}
