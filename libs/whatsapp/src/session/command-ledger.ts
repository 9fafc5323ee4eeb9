const REMEMBERED_PER_NUMBER = 16;

/**
 * Commands already handled, per number, keyed by action and timestamp: the bus delivers at least
 * once, and a redelivered `regenerate_qr` must not reset a session a second time.
 */
export class CommandLedger {
  private readonly handled = new Map<number, string[]>();

  /** True the first time `command` is seen for `numberId`; false for a repeat. */
  first(numberId: number, command: { action: string; timestamp: number }): boolean {
    const key = `${command.action}:${command.timestamp}`;
    const keys = this.handled.get(numberId) ?? [];
    if (keys.includes(key)) {
      return false;
    }
    keys.push(key);
    if (keys.length > REMEMBERED_PER_NUMBER) {
      keys.shift();
    }
    this.handled.set(numberId, keys);
    return true;
  }
}
