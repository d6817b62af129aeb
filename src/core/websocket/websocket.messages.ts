/** Start-up failures of the module, worded in one place. */
export const duplicateHandlerMessage = (event: string, first: string, second: string): string =>
  `Two realtime handlers for "${event}": ${first} and ${second}. An event has exactly one owner; remove one of them.`;

export const invalidEventNameMessage = (event: string, where: string): string =>
  `${where} handles "${event}", which is not a "domain:action" event name (lowercase letters, digits, "-" and "_" on each side of one colon).`;

export const scopedHandlerMessage = (where: string): string =>
  `${where} is request- or transient-scoped. Realtime handlers are bound once at start-up and must be singletons.`;

export const missingAdapterMessage = (): string =>
  'The realtime server was not created by RedisIoAdapter, so its limits and options are not applied. ' +
  'Call app.useWebSocketAdapter(new RedisIoAdapter(app)) before app.listen().';

export const unsupportedSocketIoMessage = (): string =>
  'This Socket.IO has no Socket#onevent and Socket#ack, through which the router receives events. ' +
  'Install the socket.io version that @nestjs/platform-socket.io pins (4.8).';
