import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { ConnectionManager } from '../../application/services/connection-manager.service.js';
import type { SocketServerHost } from '../../application/services/socket-server.host.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import type { NodeLiveness } from './node-liveness.service.js';
import { pacedGraceMs, reconnectSpreadMs, ShutdownDrainer } from './shutdown-drainer.service.js';

describe('reconnectSpreadMs', () => {
  it('spreads the clients to arrive elsewhere at 1,000 a second', () => {
    expect(reconnectSpreadMs(1, 10_000)).toBe(1);
    expect(reconnectSpreadMs(500, 10_000)).toBe(500);
    expect(reconnectSpreadMs(5_000, 10_000)).toBe(5_000);
  });

  it('leaves the last client two seconds of the grace period for its handshake', () => {
    expect(reconnectSpreadMs(15_000, 10_000)).toBe(8_000);
    expect(reconnectSpreadMs(100_000, 30_000)).toBe(28_000);
  });

  it('uses half of a short grace period', () => {
    expect(reconnectSpreadMs(15_000, 3_000)).toBe(1_500);
    expect(reconnectSpreadMs(15_000, 0)).toBe(0);
  });
});

describe('pacedGraceMs', () => {
  it('is the spread at 1,000 a second plus two seconds for the last handshake, or twice the spread when that is less', () => {
    expect(pacedGraceMs(15_000)).toBe(17_000);
    expect(pacedGraceMs(1_500)).toBe(3_000);
  });

  it.each([1, 999, 1_500, 2_000, 15_000, 76_000])('keeps the pace for %i sockets, and no shorter grace does', (sockets) => {
    expect(reconnectSpreadMs(sockets, pacedGraceMs(sockets))).toBe(sockets);
    expect(reconnectSpreadMs(sockets, pacedGraceMs(sockets) - 1)).toBeLessThan(sockets);
  });
});

interface FakeSocket {
  id: string;
  connected: boolean;
  emit: (event: string, data: { reconnectAfterMs: number }) => void;
}

/**
 * Drains a node holding `count` sockets within `shutdownGraceMs`. With
 * `admit`, through Redis: on each look the drainer takes, `admit(moving)`
 * picks which told clients have arrived on another node. A told client leaves
 * this node at once, unless `stays`. Answers the warnings, the delays told,
 * the most clients ever told and not yet arrived, and the clients looked for.
 */
async function drain(
  count: number,
  shutdownGraceMs: number,
  { admit, stays = false }: { admit?: (moving: FakeSocket[]) => FakeSocket[] | Error; stays?: boolean } = {},
) {
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  const sockets = new Map<string, FakeSocket>();
  const onTheWay = new Set<FakeSocket>();
  let mostOnTheWay = 0;
  const delays: number[] = [];
  for (let i = 0; i < count; i++) {
    const socket: FakeSocket = {
      id: `s${i}`,
      connected: true,
      emit: (_event, { reconnectAfterMs }) => {
        delays.push(reconnectAfterMs);
        if (!stays) {
          socket.connected = false;
          sockets.delete(socket.id);
        }
        onTheWay.add(socket);
        mostOnTheWay = Math.max(mostOnTheWay, onTheWay.size);
      },
    };
    sockets.set(socket.id, socket);
  }
  const looked: FakeSocket[] = [];
  const elsewhere = async (moving: FakeSocket[]) => {
    looked.push(...moving);
    const picked = admit!(moving.filter((socket) => onTheWay.has(socket)));
    if (picked instanceof Error) throw picked;
    for (const socket of picked) onTheWay.delete(socket);
    return picked;
  };
  const host = {
    started: true,
    server: { of: () => ({ sockets }), local: { disconnectSockets: () => sockets.clear() } },
  } as unknown as SocketServerHost;
  const redis = admit ? { redis: { url: 'redis://127.0.0.1:6379' } } : {};
  const drainer = new ShutdownDrainer(
    host,
    { elsewhere, leaveCluster: async () => undefined } as unknown as ConnectionManager,
    { leave: async () => undefined } as unknown as NodeLiveness,
    {} as HttpAdapterHost,
    { shutdownGraceMs, ...redis } as ResolvedWebsocketOptions,
  );
  await drainer.beforeApplicationShutdown();
  return { warnings: warn.mock.calls.map(([message]) => String(message)), delays, mostOnTheWay, looked };
}

describe('ShutdownDrainer', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('warns when the grace sends a node more than a second of sockets faster than its pace, naming the grace that would keep it', async () => {
    const { warnings, delays } = await drain(3_000, 0);
    expect(delays).toHaveLength(3_000);
    expect(warnings).toEqual([
      expect.stringMatching(/^Sending 3000 sockets elsewhere at once, .* A shutdown grace of 5000 ms \(shutdownGraceMs\)/),
    ]);
  });

  it('says how fast they are sent when the grace spreads them, if too fast', async () => {
    const { warnings } = await drain(1_500, 50);
    expect(warnings).toEqual([expect.stringContaining('over 25 ms (60000 a second)')]);
  });

  it('is silent when the grace keeps the pace, or the sockets are fewer than a second of it', async () => {
    expect((await drain(1_500, 3_000)).warnings).toEqual([]);
    expect((await drain(1_000, 0)).warnings).toEqual([]);
  });
});

describe('ShutdownDrainer through Redis: paced by arrivals', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('keeps at most 500 clients on their way, telling more as they arrive, and says nothing when all move in time', async () => {
    const { warnings, mostOnTheWay, delays } = await drain(1_200, 10_000, { admit: (moving) => moving });
    expect(delays).toHaveLength(1_200);
    expect(Math.max(...delays)).toBeLessThan(100);
    expect(mostOnTheWay).toBe(500);
    expect(warnings).toEqual([]);
  });

  it('goes as slowly as the other nodes admit; before the grace ends, tells the rest to keep coming at that rate, naming the grace they needed', async () => {
    // 20 arrive at each look (every 100 ms): 200 a second.
    const { warnings, mostOnTheWay, delays } = await drain(1_200, 2_000, { admit: (moving) => moving.slice(0, 20) });
    expect(delays).toHaveLength(1_200);
    // Before the last call (1 s before the end) no more than 500 were on their way; then the rest were told.
    expect(mostOnTheWay).toBeGreaterThan(500);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^\d+ of 1200 sockets were still here \d+ ms before the end of the shutdown grace: telling them to move over the next \d+ ms, at \d+ a second \(what the other nodes took\)\. A grace of \d+ ms \(shutdownGraceMs\) would have let all move within it$/,
    );
    const [, rest, over, rate, grace] = /^(\d+) .* over the next (\d+) ms, at (\d+) a second .* A grace of (\d+) ms/
      .exec(warnings[0]!)!
      .map(Number);
    // In about 1 s: 500 told at first, and one more for each of the 20 that arrived every 100 ms.
    expect(rest).toBeGreaterThan(1_200 - 500 - 250);
    expect(rest).toBeLessThan(1_200 - 500);
    expect(rate).toBeGreaterThan(100);
    expect(rate).toBeLessThan(250);
    expect(Math.abs(over! - (rest! * 1000) / rate!)).toBeLessThan(over! / 50);
    expect(Math.abs(grace! - (1_200_000 / rate! + 2_000))).toBeLessThan(grace! / 50);
    // The rest are told delays one 1/rate apart, the last past the end of the grace.
    const last = delays.slice(-rest!);
    expect(last[0]).toBe(0);
    expect(last.at(-1)).toBeGreaterThan(2_000);
    expect(Math.abs(last.at(-1)! - over!)).toBeLessThan(over! / 50 + 10);
  });

  it('looks for none of the told clients that have not left; with no arrival seen, tells the rest to come at 1,000 a second', async () => {
    const { warnings, looked, delays } = await drain(600, 1_000, { admit: (moving) => moving, stays: true });
    expect(delays).toHaveLength(600);
    expect(looked).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^100 of 600 sockets were still here \d+ ms before the end of the shutdown grace: telling them to move over the next 100 ms, at 1000 a second \(the drain's pace: none was seen arriving\)\. A grace of 2600 ms \(shutdownGraceMs\) would have let all move within it$/,
      ),
    ]);
    expect(delays.slice(-100)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('tells the rest over a spread when the registry cannot be read', async () => {
    const { warnings, delays } = await drain(600, 1_000, { admit: () => new Error('Connection is closed.') });
    expect(delays).toHaveLength(600);
    expect(warnings).toEqual([
      expect.stringMatching(/^Could not see where the moving clients arrived \(Connection is closed\.\): telling the rest over a spread$/),
    ]);
  });

  it('tells all at once and says nothing with a grace of 0, which asks for no drain', async () => {
    const { warnings, delays } = await drain(300, 0, { admit: () => [] });
    expect(delays).toEqual(Array(300).fill(0));
    expect(warnings).toEqual([]);
  });
});
