/**
 * Message ids are `<ms>-<seq>`, the format of Redis Stream entry ids, so a
 * Streams-backed store can hand out the same ids as the in-memory one. Both
 * parts are canonical decimals (no leading zeros) of at most 20 digits, which
 * keeps string equality the same as id equality.
 */
const MESSAGE_ID = /^(?:0|[1-9][0-9]{0,19})-(?:0|[1-9][0-9]{0,19})$/;

/** The longest id: two 20-digit parts and the dash. */
export const MAX_MESSAGE_ID_LENGTH = 41;

/** True for a well-formed message id. It says nothing about whether such a message exists. */
export function isMessageId(value: unknown): value is string {
  return typeof value === 'string' && MESSAGE_ID.test(value);
}

/** Builds the id of the `seq`-th message accepted in millisecond `ms`. */
export function formatMessageId(ms: number, seq: number): string {
  return `${ms}-${seq}`;
}

/**
 * Orders two message ids of one room: negative when `a` was accepted before
 * `b`, zero when equal, positive after. Throws a `TypeError` for a malformed id.
 *
 * @example
 * messages.sort((x, y) => compareMessageIds(x.id, y.id));
 */
export function compareMessageIds(a: string, b: string): number {
  if (!isMessageId(a) || !isMessageId(b)) throw new TypeError(`Not a message id: ${JSON.stringify(isMessageId(a) ? b : a)}`);
  const dashA = a.indexOf('-');
  const dashB = b.indexOf('-');
  return compareDecimals(a.slice(0, dashA), b.slice(0, dashB)) || compareDecimals(a.slice(dashA + 1), b.slice(dashB + 1));
}

/** Canonical decimals compare by length first, then digit by digit; no number parsing, so 20 digits stay exact. */
function compareDecimals(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
