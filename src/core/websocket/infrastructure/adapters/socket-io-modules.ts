import { createRequire } from 'node:module';
import type * as SocketIoAdapter from 'socket.io-adapter';
import type * as SocketIoParser from 'socket.io-parser';
import type * as Ws from 'ws';

// The CommonJS modules of the very socket.io that Nest's IoAdapter creates the
// server with (the one @nestjs/platform-socket.io resolves, even when the app
// holds another copy), and ws from that socket.io's engine.io: the module
// patches and extends exactly what serves the connections, and does not
// depend on these packages by name. An ESM import would load a second copy,
// and Node's ESM conditions pick socket.io-parser's debug build.
const fromPlatform = createRequire(createRequire(import.meta.url).resolve('@nestjs/platform-socket.io'));
const fromSocketIo = createRequire(fromPlatform.resolve('socket.io'));
const fromEngineIo = createRequire(fromSocketIo.resolve('engine.io'));

/** @internal */
export const socketIoAdapter = fromSocketIo('socket.io-adapter') as typeof SocketIoAdapter;
/** @internal */
export const socketIoParser = fromSocketIo('socket.io-parser') as typeof SocketIoParser;
/** @internal */
export const ws = fromEngineIo('ws') as typeof Ws;
