/**
 * Calls `send(due, index)` `total` times at `rate` per second, each as close
 * to its due time as the event loop allows: it sleeps while the next send is
 * more than 2 ms away and spins (setImmediate, which still lets I/O run)
 * otherwise. Resolves after the last send.
 */
export function pace(rate, total, send) {
  const interval = 1000 / rate;
  const start = performance.now();
  let sent = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        send(start + sent * interval, sent);
        sent++;
      }
      if (sent >= total) return resolve();
      const wait = start + sent * interval - performance.now();
      if (wait > 2) setTimeout(tick, wait - 1);
      else setImmediate(tick);
    };
    tick();
  });
}
