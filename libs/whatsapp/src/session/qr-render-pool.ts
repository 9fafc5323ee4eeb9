import { Worker } from 'node:worker_threads';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { qrImageDataUrl } from './qr-image';

interface Job {
  payload: string;
  resolve: (dataUrl: string) => void;
  reject: (error: Error) => void;
}

/**
 * The thread's program: loads qr-image (compiled JS in `dist`; TypeScript through ts-node when the
 * code runs from source, as under Jest) and answers `{id, payload}` with `{id, dataUrl | error}`.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.module.endsWith('.ts')) require('ts-node').register({ transpileOnly: true });
const { qrPng } = require(workerData.module);
parentPort.on('message', ({ id, payload }) => {
  try {
    parentPort.postMessage({ id, dataUrl: 'data:image/png;base64,' + qrPng(payload).toString('base64') });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});`;

/**
 * Renders QR images on a worker thread. A worker regenerating a thousand sessions' QRs in the same
 * second would otherwise block its event loop for about a second (≈0.8 ms per image), and every
 * event published meanwhile would wait that long for its broker confirm. If the thread cannot
 * start or dies, rendering falls back to the event loop: slower, never lost.
 */
@Injectable()
export class QrRenderPool implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('WhatsApp');
  private readonly jobs = new Map<number, Job>();
  private worker?: Worker;
  private failed = false;
  private nextId = 0;

  /** Starts the thread with the app, so the first QR does not wait for it (and eat into its lifetime). */
  onModuleInit(): void {
    this.thread();
  }

  render(payload: string): Promise<string> {
    const worker = this.thread();
    if (worker === undefined) {
      return qrImageDataUrl(payload);
    }
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.jobs.set(id, { payload, resolve, reject });
      worker.postMessage({ id, payload });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failed = true; // late calls render inline
    await worker?.terminate();
  }

  private thread(): Worker | undefined {
    if (this.worker !== undefined || this.failed) {
      return this.worker;
    }
    const module = require.resolve('./qr-image');
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { module } });
    worker.unref(); // never keeps a process alive on its own
    worker.on('message', ({ id, dataUrl, error }: { id: number; dataUrl?: string; error?: string }) => {
      const job = this.jobs.get(id);
      this.jobs.delete(id);
      if (dataUrl !== undefined) {
        job?.resolve(dataUrl);
      } else {
        job?.reject(new Error(error ?? 'QR rendering failed'));
      }
    });
    worker.on('error', (error) => this.abandon(worker, error));
    worker.on('exit', (code) => this.abandon(worker, new Error(`QR thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  /** The thread is gone: its pending images are rendered inline, and so is everything after. */
  private abandon(worker: Worker, error: Error): void {
    if (this.worker !== worker) {
      return;
    }
    this.worker = undefined;
    this.failed = true;
    if (this.jobs.size > 0) {
      this.logger.warn(`QR rendering thread failed (${error.message}); rendering on the main thread from now on`);
    }
    const pending = [...this.jobs.values()];
    this.jobs.clear();
    for (const job of pending) {
      qrImageDataUrl(job.payload).then(job.resolve, job.reject);
    }
  }
}
