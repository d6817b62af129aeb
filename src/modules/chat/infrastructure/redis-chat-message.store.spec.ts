import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClients } from '../../../core/websocket/internal.js';
import { redisModes } from '../../../../test/support/redis-modes.js';
import { connectRedisClients } from '../../../testing/redis-clients.js';
import { startRedis, type TestRedis } from '../../../testing/redis-server.js';
import type { ChatMessage } from '../domain/chat-message.js';
import { compareMessageIds } from '../domain/message-id.js';
import { describeChatMessageStoreContract } from '../ports/chat-message-store.suite.js';
import { RedisChatMessageStore } from './redis-chat-message.store.js';

describe.each(redisModes())('on $name', (mode) => {
  let clients: RedisClients;

  beforeAll(async () => {
    clients = await mode.connect();
  });

  afterAll(async () => {
    await mode.clear(clients);
    await clients?.close();
    await mode.stop();
  });

  // Every contract test writes to rooms of its own, so the shared server needs no flushing.
  describeChatMessageStoreContract('RedisChatMessageStore', { create: () => new RedisChatMessageStore(clients) });

  describe('RedisChatMessageStore', () => {
    const room = (): string => `room-${Math.random().toString(36).slice(2)}`;

    it('keeps one stream per room under the key prefix, with Redis ids and sentAt taken from them', async () => {
      const store = new RedisChatMessageStore(clients);
      const roomId = room();
      const message = await store.append(roomId, { userId: 'ann', text: 'hello' });
      expect(store.key(roomId)).toBe(`${clients.prefix}chat:${roomId}:messages`);
      const [[id]] = (await clients.command.xrange(store.key(roomId), '-', '+')) as [string, string[]][];
      expect(message.id).toBe(id);
      expect(message.sentAt).toBe(new Date(Number(id.split('-')[0])).toISOString());
    });

    it('gives back every field exactly, whatever characters the text and ids hold', async () => {
      const store = new RedisChatMessageStore(clients);
      const roomId = room();
      const texts = [
        'plain',
        'emoji 👩‍👩‍👧‍👦 🇫🇷 and CJK 漢字',
        'e\u0301 combining, \u202eRTL override, zero\u200bwidth',
        'lone surrogates \ud800 and \udfff',
        'NUL \u0000, new\nline, tab\t, "quotes" \\ backslash',
        '{"m":"looks like JSON"}',
        'x'.repeat(3990) + '😀😀😀😀😀',
      ];
      const sent: ChatMessage[] = [];
      for (const [index, text] of texts.entries()) {
        sent.push(
          await store.append(roomId, {
            userId: `üser \ud83d ${index}`,
            text,
            ...(index % 2 === 0 && { clientMsgId: `c-\udc00-${index}-😀` }),
          }),
        );
      }
      const { messages } = await store.history(roomId, { limit: 100 });
      expect(messages).toEqual(sent);
      expect(messages.map((message) => message.text)).toEqual(texts);
      expect(messages.filter((message) => 'clientMsgId' in message)).toHaveLength(4);
    });

    it('keeps exactly the newest maxPerRoom messages of each room, dropping the oldest first', async () => {
      const store = new RedisChatMessageStore(clients, { maxPerRoom: 3 });
      const [a, b] = [room(), room()];
      const sent = [];
      for (let i = 1; i <= 5; i++) sent.push(await store.append(a, { userId: 'ann', text: `m${i}` }));
      await store.append(b, { userId: 'ann', text: 'other room' });
      expect(await clients.command.xlen(store.key(a))).toBe(3);
      await expect(store.history(a, { limit: 10 })).resolves.toEqual({ messages: sent.slice(2), hasMore: false });
      // Catching up from a dropped message starts at the oldest one kept.
      await expect(store.history(a, { after: sent[0]!.id, limit: 10 })).resolves.toEqual({ messages: sent.slice(2), hasMore: false });
      expect((await store.history(b, { limit: 10 })).messages).toHaveLength(1);
    });

    it('orders the messages of two nodes in one room by acceptance, and both read the same history', async () => {
      const other = await mode.connect('other');
      try {
        const [node1, node2] = [new RedisChatMessageStore(clients), new RedisChatMessageStore(other)];
        const roomId = room();
        const sent = [];
        for (let i = 0; i < 6; i++) sent.push(await (i % 2 ? node2 : node1).append(roomId, { userId: 'ann', text: `m${i}` }));
        for (let i = 1; i < sent.length; i++) expect(compareMessageIds(sent[i - 1]!.id, sent[i]!.id)).toBeLessThan(0);
        await expect(node1.history(roomId, { limit: 10 })).resolves.toEqual({ messages: sent, hasMore: false });
        await expect(node2.history(roomId, { limit: 10 })).resolves.toEqual({ messages: sent, hasMore: false });
      } finally {
        await other.close();
      }
    });

    it('takes cursors with parts past what Redis accepts (2^64 - 1) as positions', async () => {
      const store = new RedisChatMessageStore(clients);
      const roomId = room();
      const sent = [];
      for (let i = 1; i <= 3; i++) sent.push(await store.append(roomId, { userId: 'ann', text: `m${i}` }));
      const ms = sent[1]!.id.split('-')[0];
      const huge = '99999999999999999999';
      const max = '18446744073709551615';
      const older = sent.filter((message) => compareMessageIds(message.id, `${ms}-${max}`) <= 0);
      const newer = sent.filter((message) => compareMessageIds(message.id, `${ms}-${max}`) > 0);
      await expect(store.history(roomId, { before: `${ms}-${huge}`, limit: 10 })).resolves.toEqual({ messages: older, hasMore: false });
      await expect(store.history(roomId, { after: `${ms}-${huge}`, limit: 10 })).resolves.toEqual({ messages: newer, hasMore: false });
      await expect(store.history(roomId, { after: `${max}-${max}`, limit: 10 })).resolves.toEqual({ messages: [], hasMore: false });
      await expect(store.history(roomId, { after: `${max}-${huge}`, limit: 10 })).resolves.toEqual({ messages: [], hasMore: false });
      await expect(store.history(roomId, { before: `${max}-${max}`, limit: 10 })).resolves.toEqual({ messages: sent, hasMore: false });
      await expect(store.history(roomId, { before: `${huge}-${huge}`, limit: 2 })).resolves.toEqual({
        messages: sent.slice(1),
        hasMore: true,
      });
    });

    it('sets no expiry on a room by default', async () => {
      const store = new RedisChatMessageStore(clients);
      const roomId = room();
      await store.append(roomId, { userId: 'ann', text: 'stays' });
      expect(await clients.command.pttl(store.key(roomId))).toBe(-1);
    });

    it('with idleTtlMs, expires an idle room and renews the expiry on every append', async () => {
      const store = new RedisChatMessageStore(clients, { idleTtlMs: 60_000 });
      const roomId = room();
      await store.append(roomId, { userId: 'ann', text: 'one' });
      await clients.command.pexpire(store.key(roomId), 1_000);
      await store.append(roomId, { userId: 'ann', text: 'two' });
      expect(await clients.command.pttl(store.key(roomId))).toBeGreaterThan(50_000);

      const brief = new RedisChatMessageStore(clients, { idleTtlMs: 50 });
      const idle = room();
      await brief.append(idle, { userId: 'ann', text: 'soon gone' });
      await new Promise((resolve) => setTimeout(resolve, 120));
      await expect(brief.history(idle, { limit: 10 })).resolves.toEqual({ messages: [], hasMore: false });
    });

    it('refuses options that are not whole numbers in range', () => {
      expect(() => new RedisChatMessageStore(clients, { maxPerRoom: 0 })).toThrow(RangeError);
      expect(() => new RedisChatMessageStore(clients, { idleTtlMs: -1 })).toThrow(RangeError);
      expect(() => new RedisChatMessageStore(clients, { idleTtlMs: 1.5 })).toThrow(RangeError);
    });
  });
});

describe('RedisChatMessageStore while Redis is down', () => {
  let down: TestRedis;
  let outage: RedisClients;

  beforeAll(async () => {
    down = await startRedis();
    outage = await connectRedisClients(down.url);
  });

  afterAll(async () => {
    await outage?.close();
    await down?.stop();
  });

  it('fails appends and reads at once instead of queueing them, and works again once Redis is back', async () => {
    const store = new RedisChatMessageStore(outage);
    await store.append('a', { userId: 'ann', text: 'before' });
    await down.kill();
    await waitFor(() => outage.command.status !== 'ready');
    const started = Date.now();
    await expect(store.append('a', { userId: 'ann', text: 'during' })).rejects.toThrow();
    await expect(store.history('a', { limit: 10 })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
    await down.start();
    await waitFor(() => outage.command.status === 'ready', 10_000);
    const after = await store.append('a', { userId: 'ann', text: 'after' });
    // The restarted server is empty: only what was sent since is there.
    await expect(store.history('a', { limit: 10 })).resolves.toEqual({ messages: [after], hasMore: false });
  });
});

async function waitFor(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
