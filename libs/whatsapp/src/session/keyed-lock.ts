/**
 * One queue per key: tasks for the same key run one after another, tasks for different keys in
 * parallel. The session manager keys it by number id, so two commands (or a command and a driver
 * callback) for one number never interleave — which is what keeps one number to one session.
 */
export class KeyedLock<K> {
  private readonly tails = new Map<K, Promise<void>>();

  run<T>(key: K, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    // Forget the key once its queue is empty, so the map does not grow with every number ever seen.
    void tail.then(() => {
      if (this.tails.get(key) === tail) {
        this.tails.delete(key);
      }
    });
    return result;
  }

  /** Keys with a task running or waiting (for tests and the heartbeat). */
  get busyKeys(): number {
    return this.tails.size;
  }
}
