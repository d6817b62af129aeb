/** Every event the app serves, with a body it accepts. */
export const EVENTS: ReadonlyArray<[string, Record<string, unknown>]> = [
  ['chat:join', { roomId: 'lobby' }],
  ['chat:leave', { roomId: 'lobby' }],
  ['chat:send', { roomId: 'lobby', text: 'hello' }],
  ['chat:typing', { roomId: 'lobby', typing: true }],
  ['chat:history', { roomId: 'lobby' }],
  ['presence:subscribe', { userIds: ['someone'] }],
  ['presence:unsubscribe', { userIds: ['someone'] }],
  ['presence:query', { userIds: ['someone'] }],
  ['presence:set', { status: 'away' }],
  ['auth:refresh', { token: 'not-a-token' }],
];
