import { useEffect, useRef, useState } from 'react';
import { ErrorText } from './common';

/** How often a frame is decoded: often enough to feel instant, rarely enough for a phone's CPU. */
const SCAN_INTERVAL_MS = 200;

/**
 * Reads QR codes from the device camera (`getUserMedia`, the back camera on a phone) with jsQR,
 * and hands each new token over once. Stops the camera when closed or unmounted.
 */
export function CameraScanner({ onToken }: { onToken: (token: string) => void }) {
  const [on, setOn] = useState(false);
  const [error, setError] = useState<string>();
  const [seen, setSeen] = useState<string>();
  const video = useRef<HTMLVideoElement>(null);
  const handler = useRef(onToken);
  handler.current = onToken;

  useEffect(() => {
    if (!on) {
      return;
    }
    let stream: MediaStream | undefined;
    let timer: number | undefined;
    let stopped = false;
    let last: string | undefined;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    // The decoder is a third of the bundle and only vendors with a camera need it: loaded on first use.
    const decoder = import('jsqr').then((module) => module.default);
    const scan = async () => {
      const jsQR = await decoder;
      const element = video.current;
      if (stopped || !element || !context || element.videoWidth === 0) {
        return;
      }
      canvas.width = element.videoWidth;
      canvas.height = element.videoHeight;
      context.drawImage(element, 0, 0);
      const frame = context.getImageData(0, 0, canvas.width, canvas.height);
      const code = jsQR(frame.data, frame.width, frame.height, { inversionAttempts: 'dontInvert' });
      if (code?.data && code.data !== last) {
        last = code.data;
        setSeen(code.data);
        handler.current(code.data);
      }
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(async (media) => {
        stream = media;
        if (stopped || !video.current) {
          media.getTracks().forEach((track) => track.stop());
          return;
        }
        video.current.srcObject = media;
        await video.current.play();
        timer = window.setInterval(() => void scan(), SCAN_INTERVAL_MS);
      })
      .catch((failure: unknown) => {
        setError(`Camera unavailable: ${failure instanceof Error ? failure.message : String(failure)}`);
        setOn(false);
      });
    return () => {
      stopped = true;
      window.clearInterval(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, [on]);

  return (
    <div className="camera">
      <button type="button" onClick={() => setOn((value) => !value)} aria-pressed={on}>
        {on ? 'Stop camera' : 'Scan with camera'}
      </button>
      {on ? <video ref={video} className="camera-view" muted playsInline aria-label="Camera preview" /> : null}
      {seen ? <p className="muted">Read from the camera: {seen.slice(0, 12)}…</p> : null}
      <ErrorText error={error} />
    </div>
  );
}
