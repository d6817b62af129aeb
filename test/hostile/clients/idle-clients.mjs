// Opens idle connections to a server from a process of their own, so the
// server's heap can be measured without the clients in it. Prints "ready"
// once every connection is in its state, then holds them until stdin closes.
//
//   node idle-clients.mjs <http url> <mode> <count>   (tokens for auth modes: TOKENS='["..."]')
//
// Modes: tcp (connect, send nothing), upgrade-partial (half an HTTP upgrade),
// open (Engine.IO open, no Socket.IO handshake), auth (authenticated, answers
// pings), mute (authenticated, never answers pings), binary (announces ten
// binary attachments before the Socket.IO handshake and sends nine of 60 KiB).
import { connect } from 'node:net';
import WebSocket from 'ws';

const [url, mode, countText] = process.argv.slice(2);
const count = Number(countText);
const tokens = JSON.parse(process.env.TOKENS ?? '[]');
const { hostname, port } = new URL(url);
const held = [];
let closed = 0;

function done() {
  process.stdout.write('ready\n');
}

function onClose() {
  closed++;
  process.stdout.write(`closed ${closed}\n`);
}

async function open(i) {
  if (mode === 'tcp' || mode === 'upgrade-partial') {
    const socket = connect(Number(port), hostname);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    if (mode === 'upgrade-partial')
      socket.write(`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\n`);
    socket.on('close', onClose).on('error', () => undefined);
    held.push(socket);
    return;
  }
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  held.push(ws);
  ws.on('error', () => undefined);
  ws.on('close', onClose);
  await new Promise((resolve, reject) => {
    ws.on('message', (data) => {
      const frame = data.toString();
      if (frame === '2' && mode !== 'mute') ws.send('3');
      if (frame.startsWith('0')) {
        if (mode === 'open') return resolve();
        if (mode === 'binary') {
          ws.send(`4510-["x",${Array.from({ length: 10 }, (_, n) => `{"_placeholder":true,"num":${n}}`).join(',')}]`);
          for (let n = 0; n < 9; n++) ws.send(Buffer.alloc(60 * 1024, n));
          // The tenth never comes: the server holds the nine, or has closed the connection.
          return void setTimeout(resolve, 300);
        }
        ws.send(`40${JSON.stringify({ token: tokens[i] })}`);
      }
      if (frame.startsWith('40')) resolve();
      if (frame.startsWith('44')) reject(new Error(frame));
    });
    ws.once('close', () => (mode === 'binary' ? resolve() : reject(new Error('closed early'))));
  });
}

await Promise.all(Array.from({ length: count }, (_, i) => open(i)));
done();
process.stdin.resume();
process.stdin.on('end', () => {
  for (const connection of held) (connection.terminate ?? connection.destroy).call(connection);
  process.exit(0);
});
