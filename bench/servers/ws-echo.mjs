// The floor: bare `ws`, no Socket.IO framing. Every frame is echoed back to its
// sender (the generator reads the echoed `42<id>[...]` as the ack of request
// <id>); a frame carrying a `chat:send` also goes to every other connection,
// which is the fan-out floor. The JWT is verified once, on the upgrade, from
// the `Authorization: Bearer` header, with the same library and options as the
// Socket.IO variant.
import { createServer } from 'node:http';
import jwt from 'jsonwebtoken';
import { WebSocketServer } from 'ws';
import { env, ready } from './control.mjs';

const secret = env('JWT_SECRET');
const BEARER = /^Bearer\s+(\S+)\s*$/i;
const CHAT_SEND = Buffer.from('"chat:send"');

const http = createServer();
const wss = new WebSocketServer({
  server: http,
  perMessageDeflate: false,
  verifyClient(info, done) {
    const match = BEARER.exec(info.req.headers.authorization ?? '');
    try {
      const claims = jwt.verify(match?.[1] ?? '', secret, { algorithms: ['HS256'] });
      info.req.user = { userId: claims.sub, claims };
      done(true);
    } catch {
      done(false, 401, 'UNAUTHORIZED');
    }
  },
});

wss.on('connection', (socket, req) => {
  socket.user = req.user;
  socket.on('message', (data, isBinary) => {
    socket.send(data, { binary: isBinary });
    if (data.indexOf(CHAT_SEND) !== -1) {
      for (const other of wss.clients) if (other !== socket) other.send(data, { binary: isBinary });
    }
  });
});

http.listen(Number(env('PORT', '0')), '127.0.0.1', () => ready(http.address().port));
