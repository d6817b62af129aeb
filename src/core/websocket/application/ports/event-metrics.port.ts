/** Events nobody routes share one label: clients choose event names, and labels must stay few. */
export const UNKNOWN_EVENT_LABEL = 'unknown';

/**
 * Counts every routed event by name and outcome (`OK` or the error code),
 * with its latency. `Series` is the implementation's handle on one name and
 * outcome: the router asks `seriesOf` once per route and passes the handle
 * back to `count`, so counting a successful event builds no key.
 */
export abstract class EventMetrics<Series extends object = object> {
  /** The series of one event and outcome, created on first use; keep it and pass it to `count`. */
  abstract seriesOf(event: string, outcome: string): Series;
  /** Counts one event into a series from `seriesOf`, which must not be `RATE_LIMITED`'s. */
  abstract count(series: Series, seconds: number): void;
  /** Counts one event by its name and outcome. */
  abstract event(event: string, outcome: string, seconds: number): void;
}
