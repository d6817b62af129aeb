import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { ChatMessage } from '../domain/chat-message.js';
import { ChatMessageStore, compareMessageIds } from './chat-message-store.port.js';

/** How the suite gets a fresh store, and gives it back. */
export interface ChatMessageStoreHarness {
  create(): ChatMessageStore | Promise<ChatMessageStore>;
  destroy?(store: ChatMessageStore): void | Promise<void>;
}

/**
 * The behaviour every `ChatMessageStore` twin shares. Each test writes to
 * rooms of its own, so a twin backed by a shared server needs no flushing.
 * The store must keep at least 20 messages per room.
 *
 * @example
 * describeChatMessageStoreContract('InMemoryChatMessageStore', { create: () => new InMemoryChatMessageStore() });
 */
export function describeChatMessageStoreContract(name: string, harness: ChatMessageStoreHarness): void {
  describe(`ChatMessageStore contract: ${name}`, () => {
    let store: ChatMessageStore;
    const room = (): string => `room-${randomUUID()}`;
    const fill = async (roomId: string, count: number): Promise<ChatMessage[]> => {
      const sent: ChatMessage[] = [];
      for (let i = 1; i <= count; i++) sent.push(await store.append(roomId, { userId: 'ann', text: `m${i}` }));
      return sent;
    };
    const texts = (messages: ChatMessage[]): string[] => messages.map((message) => message.text);

    beforeEach(async () => {
      store = await harness.create();
    });

    afterEach(async () => {
      await harness.destroy?.(store);
    });

    describe('append', () => {
      it('returns the stored message with an id, the room and an ISO-8601 sentAt', async () => {
        const roomId = room();
        const before = Date.now();
        const message = await store.append(roomId, { userId: 'ann', text: 'hello', clientMsgId: 'c-1' });
        expect(message).toEqual({ id: expect.any(String), roomId, userId: 'ann', text: 'hello', clientMsgId: 'c-1', sentAt: expect.any(String) });
        expect(new Date(message.sentAt).toISOString()).toBe(message.sentAt);
        expect(Math.abs(Date.parse(message.sentAt) - before)).toBeLessThan(60_000);
      });

      it('leaves clientMsgId out of a message sent without one', async () => {
        const message = await store.append(room(), { userId: 'ann', text: 'hello' });
        expect('clientMsgId' in message).toBe(false);
      });

      it('gives ids that increase in the order the messages were accepted', async () => {
        const ids = (await fill(room(), 30)).map((message) => message.id);
        for (let i = 1; i < ids.length; i++) expect(compareMessageIds(ids[i - 1], ids[i])).toBeLessThan(0);
      });

      it('gives distinct ids to concurrent appends, and history lists them in id order', async () => {
        const roomId = room();
        const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(roomId, { userId: 'ann', text: `m${i}` })));
        expect(new Set(sent.map((message) => message.id)).size).toBe(20);
        const { messages } = await store.history(roomId, { limit: 20 });
        expect(messages.map((message) => message.id)).toEqual(sent.map((message) => message.id).sort(compareMessageIds));
      });
    });

    describe('history', () => {
      it('is empty for a room nobody wrote to', async () => {
        await expect(store.history(room(), { limit: 10 })).resolves.toEqual({ messages: [], hasMore: false });
      });

      it('without a cursor, gives the newest messages oldest first, with hasMore for older ones', async () => {
        const roomId = room();
        const sent = await fill(roomId, 5);
        const page = await store.history(roomId, { limit: 2 });
        expect(page).toEqual({ messages: sent.slice(3), hasMore: true });
        await expect(store.history(roomId, { limit: 5 })).resolves.toEqual({ messages: sent, hasMore: false });
        await expect(store.history(roomId, { limit: 50 })).resolves.toEqual({ messages: sent, hasMore: false });
      });

      it('with before, pages back through older messages until hasMore is false', async () => {
        const roomId = room();
        const sent = await fill(roomId, 5);
        const first = await store.history(roomId, { before: sent[3].id, limit: 2 });
        expect(texts(first.messages)).toEqual(['m2', 'm3']);
        expect(first.hasMore).toBe(true);
        const second = await store.history(roomId, { before: first.messages[0].id, limit: 2 });
        expect(texts(second.messages)).toEqual(['m1']);
        expect(second.hasMore).toBe(false);
        await expect(store.history(roomId, { before: sent[0].id, limit: 2 })).resolves.toEqual({ messages: [], hasMore: false });
      });

      it('with after, catches up through newer messages until hasMore is false', async () => {
        const roomId = room();
        const sent = await fill(roomId, 5);
        const first = await store.history(roomId, { after: sent[0].id, limit: 2 });
        expect(texts(first.messages)).toEqual(['m2', 'm3']);
        expect(first.hasMore).toBe(true);
        const second = await store.history(roomId, { after: first.messages[1].id, limit: 2 });
        expect(texts(second.messages)).toEqual(['m4', 'm5']);
        expect(second.hasMore).toBe(false);
        await expect(store.history(roomId, { after: sent[4].id, limit: 2 })).resolves.toEqual({ messages: [], hasMore: false });
      });

      it('takes a well-formed id that names no message as a position', async () => {
        const roomId = room();
        const sent = await fill(roomId, 3);
        const far = '99999999999999999999-0';
        await expect(store.history(roomId, { before: '0-0', limit: 10 })).resolves.toEqual({ messages: [], hasMore: false });
        await expect(store.history(roomId, { after: '0-0', limit: 2 })).resolves.toEqual({ messages: sent.slice(0, 2), hasMore: true });
        await expect(store.history(roomId, { before: far, limit: 2 })).resolves.toEqual({ messages: sent.slice(1), hasMore: true });
        await expect(store.history(roomId, { after: far, limit: 2 })).resolves.toEqual({ messages: [], hasMore: false });
      });

      it('keeps rooms apart', async () => {
        const [a, b] = [room(), room()];
        await store.append(a, { userId: 'ann', text: 'in a' });
        await store.append(b, { userId: 'bob', text: 'in b' });
        expect(texts((await store.history(a, { limit: 10 })).messages)).toEqual(['in a']);
        expect(texts((await store.history(b, { limit: 10 })).messages)).toEqual(['in b']);
      });

      it('rejects a malformed cursor, and both cursors at once, with a RangeError', async () => {
        const roomId = room();
        const [message] = await fill(roomId, 1);
        await expect(store.history(roomId, { before: 'garbage', limit: 10 })).rejects.toThrow(RangeError);
        await expect(store.history(roomId, { after: '01-0', limit: 10 })).rejects.toThrow(RangeError);
        await expect(store.history(roomId, { before: message.id, after: message.id, limit: 10 })).rejects.toThrow(RangeError);
      });

      it('hands out copies: changing a returned message changes nothing stored', async () => {
        const roomId = room();
        const [appended] = await fill(roomId, 1);
        appended.text = 'changed by the caller';
        const [listed] = (await store.history(roomId, { limit: 1 })).messages;
        expect(listed.text).toBe('m1');
        listed.text = 'changed again';
        expect((await store.history(roomId, { limit: 1 })).messages[0].text).toBe('m1');
      });
    });
  });
}
