const settled = (): void => undefined;

/**
 * Runs tasks one at a time per key, in the order they were queued; tasks of
 * different keys run side by side. A failing task fails its own caller only,
 * and the next task of its key still runs. A key is forgotten once its last
 * task has settled, so idle keys (a user gone, a socket closed) cost nothing.
 *
 * @example
 * const queue = new KeyedQueue<string>();
 * queue.run(userId, () => store.markOnline(userId, at));
 */
export class KeyedQueue<K> {
  private readonly tails = new Map<K, Promise<void>>();

  run<T>(key: K, task: () => T | Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(settled, settled);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** How many keys have a task queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
