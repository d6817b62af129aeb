// Request latencies the scale run measures from this process, one request at
// a time: `presence:query` of a handful of connected users, and `chat:send`
// from a socket on one server to a two-member room whose other member is on
// another server (the ack at the sender, the `chat:message` push at the
// receiver). The same probes run on a fresh idle single server for the
// "usual" figures.
import { setTimeout as sleep } from 'node:timers/promises';
import { histogram, summary } from '../hist.mjs';
import { tokenFor } from '../tokens.mjs';
import { WireClient } from '../wire.mjs';

const TIMEOUT_MS = 10_000;
/** Requests of each kind sent first and not recorded: the first requests of a path run cold in both processes. */
const WARMUP = 100;

/**
 * @param {object} options
 * @param {number} options.senderPort the sender's server
 * @param {number} options.receiverPort the receiver's server
 * @param {string[]} options.queryIds users to pick each query's ids from
 * @param {number} options.samples requests of each kind
 * @param {string} options.tag distinguishes the probe users and room of one measurement from another's
 */
export async function probeLatencies({ senderPort, receiverPort, queryIds, samples, perQuery = 20, gapMs = 5, tag }) {
  let arrived;
  const onEvent = (data) => arrived?.(data);
  const sender = new WireClient({ port: senderPort, token: tokenFor(`probe-${tag}-sender`) });
  const receiver = new WireClient({ port: receiverPort, token: tokenFor(`probe-${tag}-receiver`), onEvent });
  try {
    await connectOrThrow(sender, `the probe sender on port ${senderPort}`);
    await connectOrThrow(receiver, `the probe receiver on port ${receiverPort}`);
    const roomId = `scale-probe-${tag}`;
    await sender.call('chat:join', { roomId });
    await receiver.call('chat:join', { roomId });

    const query = histogram();
    const ack = histogram();
    const push = histogram();
    let lost = 0;
    for (let i = -WARMUP; i < samples; i++) {
      const userIds = Array.from({ length: perQuery }, () => queryIds[Math.floor(Math.random() * queryIds.length)]);
      const at = performance.now();
      await sender.call('presence:query', { userIds }, TIMEOUT_MS);
      if (i >= 0) query.recordValue(micros(performance.now() - at));
      await sleep(gapMs);
    }
    for (let i = -WARMUP; i < samples; i++) {
      const text = `probe ${tag} ${i}`;
      const marker = Buffer.from(`"text":"${text}"`);
      const got = new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), TIMEOUT_MS);
        arrived = (data) => {
          if (data.indexOf(marker) === -1) return;
          clearTimeout(timer);
          resolve(performance.now());
        };
      });
      const at = performance.now();
      const acked = sender.call('chat:send', { roomId, text }, TIMEOUT_MS).then(() => performance.now());
      const [ackAt, pushAt] = await Promise.all([acked, got]);
      if (i >= 0) {
        ack.recordValue(micros(ackAt - at));
        if (pushAt === undefined) lost++;
        else push.recordValue(micros(pushAt - at));
      }
      await sleep(gapMs);
    }
    return { presenceQuery: { ...summary(query), idsPerQuery: perQuery }, chatSendAck: summary(ack), chatPush: { ...summary(push), lost } };
  } finally {
    sender.close();
    receiver.close();
  }
}

export async function connectOrThrow(client, what) {
  try {
    return await client.connect(TIMEOUT_MS);
  } catch (error) {
    throw new Error(`${what} could not connect: ${error.message}`);
  }
}

const micros = (ms) => Math.max(1, Math.round(ms * 1000));
