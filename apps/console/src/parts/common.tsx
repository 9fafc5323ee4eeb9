import type { ReactNode } from 'react';

/** An API error under the control that caused it (`role="alert"`: read out at once). */
export function ErrorText({ error }: { error: string | undefined }) {
  return error ? (
    <p className="error" role="alert">
      {error}
    </p>
  ) : null;
}

/** A titled card: the unit every page is made of. */
export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="card" aria-labelledby={id ? `${id}-title` : undefined}>
      <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
      {children}
    </section>
  );
}

/** A QR code image; its alt text starts with "QR code" (CONTRACT §10). */
export function QrImage({ src, of, large = false }: { src: string; of: string; large?: boolean }) {
  return <img className={large ? 'qr qr-large' : 'qr'} src={src} alt={`QR code for ${of}`} />;
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}
