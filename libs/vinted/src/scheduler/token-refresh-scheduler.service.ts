import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '@app/common';
import { AppConfig } from '@app/config';
import { Database } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { TOKEN_REFRESH_MARGIN_MS, VintedSessionManager } from '../sessions/vinted-session-manager.service';
import { VintedSessionsRepository } from '../sessions/vinted-sessions.repository';
import { jitterMs } from './refresh-backoff';
import { SchedulerState, SchedulerStateRepository, TickCounts } from './scheduler-state.repository';

export const SCHEDULER_ACTIONS = ['start', 'stop', 'restart'] as const;
export type SchedulerAction = (typeof SCHEDULER_ACTIONS)[number];

/** Refreshes running at once in one tick: gentle on Vinted, still thousands of sessions an hour. */
export const DEFAULT_REFRESH_CONCURRENCY = 8;
/** Each refresh of a tick waits a random part of this first, so accounts do not arrive in a burst. */
export const DEFAULT_JITTER_MAX_MS = 1_000;
const MAX_SESSIONS_PER_TICK = 100_000;
const TICK_LOCK = 'vinted.token-refresh-tick';

export interface SchedulerView {
  isActive: boolean;
  autoRefreshEnabled: boolean;
  intervalMinutes: number;
  lastRunAt: string | null;
  nextRunAt: string | null;
  lastRun: TickCounts | null;
}

export interface TickOptions {
  intervalMinutes: number;
  concurrency?: number;
  jitterMaxMs?: number;
}

export interface TickReport extends TickCounts {
  skipped: number;
  durationMs: number;
  /** The most refreshes seen running at once (never above the concurrency). */
  maxInFlight: number;
}

export class InvalidSchedulerIntervalError extends AppError {
  constructor() {
    super('invalid_interval', 'intervalMinutes must be an integer from 1 to 1440.', 400);
  }
}

/**
 * The proactive refresh of every stored session. Its on/off switch and interval live in the
 * database (`app_settings`), so start/stop/restart on any replica applies to all; every replica
 * polls (`runDueTick`) and the tick itself runs on one (`runExclusive` + the `nextRunAt` claim).
 */
@Injectable()
export class TokenRefreshScheduler {
  private readonly logger = new Logger(TokenRefreshScheduler.name);

  constructor(
    private readonly config: AppConfig,
    private readonly database: Database,
    private readonly states: SchedulerStateRepository,
    private readonly sessions: VintedSessionsRepository,
    private readonly manager: VintedSessionManager,
  ) {}

  async view(): Promise<SchedulerView> {
    return this.toView(await this.states.read());
  }

  /** Applies an admin's action, for every replica, and returns the new state. */
  async control(action: SchedulerAction, intervalMinutes?: number): Promise<SchedulerView> {
    if (
      intervalMinutes !== undefined &&
      !(Number.isInteger(intervalMinutes) && intervalMinutes >= 1 && intervalMinutes <= 1440)
    ) {
      throw new InvalidSchedulerIntervalError();
    }
    const state = await this.database.transaction(async (manager) => {
      const now = await this.states.now(manager);
      const current = await this.states.lock(manager);
      const interval = intervalMinutes ?? current?.intervalMinutes ?? this.config.VINTED_TOKEN_REFRESH_INTERVAL_MINUTES;
      const next: SchedulerState = {
        ...this.initial(),
        ...current,
        controlledBy: 'admin',
        intervalMinutes: interval,
        active: action !== 'stop',
        // A (re)start checks the sessions at once; a running scheduler keeps its slot unless the interval changed.
        nextRunAt:
          action === 'stop'
            ? null
            : action === 'start' && current?.active === true && current.intervalMinutes === interval
              ? current.nextRunAt
              : now.toISOString(),
      };
      await this.states.write(next, manager);
      return next;
    });
    const verb = { start: 'started', stop: 'stopped', restart: 'restarted' }[action];
    this.logger.log(
      action === 'stop' ? 'Scheduler stopped' : `Scheduler ${verb} - refreshing every ${state.intervalMinutes} minutes`,
    );
    return this.toView(state);
  }

  /** At API start with VINTED_AUTO_REFRESH_ENABLED=true: on, unless an admin has taken control. */
  async autoStart(): Promise<void> {
    if (!this.config.VINTED_AUTO_REFRESH_ENABLED) {
      this.logger.log(
        'Automatic refresh disabled (VINTED_AUTO_REFRESH_ENABLED=false): the scheduler waits for an admin to start it',
      );
      return;
    }
    const state = await this.database.transaction(async (manager) => {
      const now = await this.states.now(manager);
      const current = await this.states.lock(manager);
      if (current?.controlledBy === 'admin' || current?.active === true) {
        return current;
      }
      const next: SchedulerState = { ...this.initial(), ...current, active: true, nextRunAt: now.toISOString() };
      await this.states.write(next, manager);
      return next;
    });
    this.logger.log(
      state.active
        ? `Scheduler started - refreshing every ${state.intervalMinutes} minutes`
        : 'Scheduler stopped by an admin: not starting it',
    );
  }

  /** Called by every replica's poll: runs a tick if one is due and no other replica runs it. */
  async runDueTick(options: Omit<TickOptions, 'intervalMinutes'> = {}): Promise<TickReport | undefined> {
    const outcome = await this.database.runExclusive(TICK_LOCK, async () => {
      const claimed = await this.database.transaction(async (manager) => {
        const now = await this.states.now(manager);
        const state = await this.states.lock(manager);
        if (state?.active !== true || (state.nextRunAt !== null && Date.parse(state.nextRunAt) > now.getTime())) {
          return undefined;
        }
        // Claimed before the work: a replica polling after this tick finds the next slot taken.
        await this.states.write(
          { ...state, nextRunAt: new Date(now.getTime() + state.intervalMinutes * 60_000).toISOString() },
          manager,
        );
        return { state, startedAt: now };
      });
      if (claimed === undefined) {
        return undefined;
      }
      const report = await this.runTick({ ...options, intervalMinutes: claimed.state.intervalMinutes });
      await this.database.transaction(async (manager) => {
        const state = await this.states.lock(manager);
        const lastRun = { checked: report.checked, refreshed: report.refreshed, failed: report.failed };
        await this.states.write(
          { ...(state ?? claimed.state), lastRunAt: claimed.startedAt.toISOString(), lastRun },
          manager,
        );
      });
      return report;
    });
    return outcome.ran ? outcome.result : undefined;
  }

  /**
   * Refreshes every session whose access token expires before the next tick plus a margin, with
   * at most `concurrency` refreshes at once, each after a random jitter.
   */
  async runTick(options: TickOptions): Promise<TickReport> {
    const started = Date.now();
    const windowMs = options.intervalMinutes * 60_000 + TOKEN_REFRESH_MARGIN_MS;
    const concurrency = Math.max(1, options.concurrency ?? DEFAULT_REFRESH_CONCURRENCY);
    const jitterMaxMs = options.jitterMaxMs ?? DEFAULT_JITTER_MAX_MS;
    const ids = await this.sessions.findDueIds(windowMs, MAX_SESSIONS_PER_TICK);
    const report: TickReport = {
      checked: ids.length,
      refreshed: 0,
      failed: 0,
      skipped: 0,
      durationMs: 0,
      maxInFlight: 0,
    };
    this.logger.log(`Checking ${ids.length} session(s) expiring within ${Math.round(windowMs / 60_000)} minutes`);
    let next = 0;
    let inFlight = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++];
        await sleep(jitterMs(jitterMaxMs, Math.random()));
        inFlight += 1;
        report.maxInFlight = Math.max(report.maxInFlight, inFlight);
        try {
          const result = await this.manager.refresh(id, { mode: 'skip', dueWithinMs: windowMs });
          if (result === 'refreshed') {
            report.refreshed += 1;
          } else if (result === 'skipped' || result === 'fresh' || result === 'joined') {
            report.skipped += 1;
          } else {
            report.failed += 1;
          }
        } catch (error) {
          report.failed += 1;
          this.logger.error(
            `Refresh of session ${id} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
          );
        } finally {
          inFlight -= 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
    report.durationMs = Date.now() - started;
    this.logger.log(
      `Tick done: ${report.checked} checked, ${report.refreshed} refreshed, ${report.failed} failed, ${report.skipped} skipped in ${report.durationMs} ms`,
    );
    return report;
  }

  private initial(): SchedulerState {
    return {
      active: false,
      intervalMinutes: this.config.VINTED_TOKEN_REFRESH_INTERVAL_MINUTES,
      nextRunAt: null,
      lastRunAt: null,
      lastRun: null,
      controlledBy: 'config',
    };
  }

  private toView(state: SchedulerState | undefined): SchedulerView {
    const current = state ?? this.initial();
    return {
      isActive: current.active,
      autoRefreshEnabled: this.config.VINTED_AUTO_REFRESH_ENABLED,
      intervalMinutes: current.intervalMinutes,
      lastRunAt: current.lastRunAt,
      nextRunAt: current.nextRunAt,
      lastRun: current.lastRun,
    };
  }
}
