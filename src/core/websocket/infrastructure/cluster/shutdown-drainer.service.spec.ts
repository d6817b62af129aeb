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

describe('ShutdownDrainer', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** Drains a node holding `count` sockets (each leaves when told) within `shutdownGraceMs`; answers the warnings and the delays sent. */
  async function drain(count: number, shutdownGraceMs: number) {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const sockets = new Map<string, { emit: (event: string, data: { reconnectAfterMs: number }) => void }>();
    const delays: number[] = [];
    for (let i = 0; i < count; i++) {
      const id = `s${i}`;
      sockets.set(id, {
        emit: (_event, data) => {
          delays.push(data.reconnectAfterMs);
          sockets.delete(id);
        },
      });
    }
    const host = {
      started: true,
      server: { of: () => ({ sockets }), local: { disconnectSockets: () => sockets.clear() } },
    } as unknown as SocketServerHost;
    const drainer = new ShutdownDrainer(
      host,
      { leaveCluster: async () => undefined } as unknown as ConnectionManager,
      { leave: async () => undefined } as unknown as NodeLiveness,
      {} as HttpAdapterHost,
      { shutdownGraceMs } as ResolvedWebsocketOptions,
    );
    await drainer.beforeApplicationShutdown();
    return { warnings: warn.mock.calls.map(([message]) => String(message)), delays };
  }

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
