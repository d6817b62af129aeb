import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
// The runner plumbing is the core's, shared by every module's port suites.
import { assertDeepEqual, resolveSuiteRunner, runInTenant, type SuiteRunner } from '../../../core/websocket/internal.js';
import type { ChatMessage } from '../domain/chat-message.js';
import { ChatMessageStore, compareMessageIds } from './chat-message-store.port.js';

export type { SuiteRunner };

/** How the suite gets a fresh store, and gives it back. */
export interface ChatMessageStoreHarness {
  create(): ChatMessageStore | Promise<ChatMessageStore>;
  destroy?(store: ChatMessageStore): void | Promise<void>;
}

/**
 * The behaviour every `ChatMessageStore` twin shares. Each test writes to
 * rooms of its own, so a twin backed by a shared server needs no flushing.
 * The store must keep at least 20 messages per room. Outside Jest, pass the
 * runner's functions last.
 *
 * @example
 * // Jest (globals):
 * describeChatMessageStoreContract('InMemoryChatMessageStore', { create: () => new InMemoryChatMessageStore() });
 * // node:test:
 * import { describe, it, beforeEach, afterEach } from 'node:test';
 * describeChatMessageStoreContract('InMemoryChatMessageStore', { create: () => new InMemoryChatMessageStore() }, { describe, it, beforeEach, afterEach });
 */
export function describeChatMessageStoreContract(name: string, harness: ChatMessageStoreHarness, runner?: SuiteRunner): void {
  const { describe, it, beforeEach, afterEach } = resolveSuiteRunner(runner);
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
        assert.equal(typeof message.id, 'string');
        assert.equal(typeof message.sentAt, 'string');
        assertDeepEqual(message, { id: message.id, roomId, userId: 'ann', text: 'hello', clientMsgId: 'c-1', sentAt: message.sentAt });
        assert.equal(new Date(message.sentAt).toISOString(), message.sentAt);
        assert.ok(Math.abs(Date.parse(message.sentAt) - before) < 60_000, `sentAt ${message.sentAt} is not within a minute of now`);
      });

      it('leaves clientMsgId out of a message sent without one', async () => {
        const message = await store.append(room(), { userId: 'ann', text: 'hello' });
        assert.equal('clientMsgId' in message, false);
      });

      it('gives ids that increase in the order the messages were accepted', async () => {
        const ids = (await fill(room(), 30)).map((message) => message.id);
        for (let i = 1; i < ids.length; i++)
          assert.ok(compareMessageIds(ids[i - 1], ids[i]) < 0, `${ids[i - 1]} should sort before ${ids[i]}`);
      });

      it('gives distinct ids to concurrent appends, and history lists them in id order', async () => {
        const roomId = room();
        const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(roomId, { userId: 'ann', text: `m${i}` })));
        assert.equal(new Set(sent.map((message) => message.id)).size, 20);
        const { messages } = await store.history(roomId, { limit: 20 });
        assertDeepEqual(
          messages.map((message) => message.id),
          sent.map((message) => message.id).sort(compareMessageIds),
        );
      });
    });

    it('keeps tenants apart: one room id in two tenant scopes is two rooms, each message with the plain id', async () => {
      const roomId = room();
      const acme = await runInTenant('acme', () => store.append(roomId, { userId: 'ann', text: 'acme' }));
      const globex = await runInTenant('globex', () => store.append(roomId, { userId: 'ann', text: 'globex' }));
      assert.equal(acme.roomId, roomId);
      assert.equal(globex.roomId, roomId);
      assertDeepEqual(await runInTenant('acme', () => store.history(roomId, { limit: 10 })), { messages: [acme], hasMore: false });
      assertDeepEqual(await runInTenant('globex', () => store.history(roomId, { limit: 10 })), { messages: [globex], hasMore: false });
      assertDeepEqual(await store.history(roomId, { limit: 10 }), { messages: [], hasMore: false });
    });

    describe('history', () => {
      it('is empty for a room nobody wrote to', async () => {
        assertDeepEqual(await store.history(room(), { limit: 10 }), { messages: [], hasMore: false });
      });

      it('without a cursor, gives the newest messages oldest first, with hasMore for older ones', async () => {
        const roomId = room();
        const sent = await fill(roomId, 5);
        const page = await store.history(roomId, { limit: 2 });
        assertDeepEqual(page, { messages: sent.slice(3), hasMore: true });
        assertDeepEqual(await store.history(roomId, { limit: 5 }), { messages: sent, hasMore: false });
        assertDeepEqual(await store.history(roomId, { limit: 50 }), { messages: sent, hasMore: false });
      });

      it('with before, pages back through older messages until hasMore is false', async () => {
        const roomId = room();
        const sent = await fill(roomId, 5);
        const first = await store.history(roomId, { before: sent[3].id, limit: 2 });
        assertDeepEqual(texts(first.messages), ['m2', 'm3']);
        assert.equal(first.hasMore, true);
        const second = await store.history(roomId, { before: first.messages[0].id, limit: 2 });
        assertDeepEqual(texts(second.messages), ['m1']);
        assert.equal(second.hasMore, false);
        assertDeepEqual(await store.history(roomId, { before: sent[0].id, limit: 2 }), { messages: [], hasMore: false });
      });

      it('with after, catches up through newer messages until hasMore is false', async () => {
        const roomId = room();
        const sent = await fill(roomId, 5);
        const first = await store.history(roomId, { after: sent[0].id, limit: 2 });
        assertDeepEqual(texts(first.messages), ['m2', 'm3']);
        assert.equal(first.hasMore, true);
        const second = await store.history(roomId, { after: first.messages[1].id, limit: 2 });
        assertDeepEqual(texts(second.messages), ['m4', 'm5']);
        assert.equal(second.hasMore, false);
        assertDeepEqual(await store.history(roomId, { after: sent[4].id, limit: 2 }), { messages: [], hasMore: false });
      });

      it('takes a well-formed id that names no message as a position', async () => {
        const roomId = room();
        const sent = await fill(roomId, 3);
        const far = '99999999999999999999-0';
        assertDeepEqual(await store.history(roomId, { before: '0-0', limit: 10 }), { messages: [], hasMore: false });
        assertDeepEqual(await store.history(roomId, { after: '0-0', limit: 2 }), { messages: sent.slice(0, 2), hasMore: true });
        assertDeepEqual(await store.history(roomId, { before: far, limit: 2 }), { messages: sent.slice(1), hasMore: true });
        assertDeepEqual(await store.history(roomId, { after: far, limit: 2 }), { messages: [], hasMore: false });
      });

      it('keeps rooms apart', async () => {
        const [a, b] = [room(), room()];
        await store.append(a, { userId: 'ann', text: 'in a' });
        await store.append(b, { userId: 'bob', text: 'in b' });
        assertDeepEqual(texts((await store.history(a, { limit: 10 })).messages), ['in a']);
        assertDeepEqual(texts((await store.history(b, { limit: 10 })).messages), ['in b']);
      });

      it('rejects a malformed cursor, and both cursors at once, with a RangeError', async () => {
        const roomId = room();
        const [message] = await fill(roomId, 1);
        await assert.rejects(store.history(roomId, { before: 'garbage', limit: 10 }), RangeError);
        await assert.rejects(store.history(roomId, { after: '01-0', limit: 10 }), RangeError);
        await assert.rejects(store.history(roomId, { before: message.id, after: message.id, limit: 10 }), RangeError);
      });

      it('hands out messages a caller cannot change what is stored through (copies, or frozen messages)', async () => {
        const roomId = room();
        const [appended] = await fill(roomId, 1);
        tryToChange(appended, 'changed by the caller');
        const [listed] = (await store.history(roomId, { limit: 1 })).messages;
        assert.equal(listed.text, 'm1');
        tryToChange(listed, 'changed again');
        assert.equal((await store.history(roomId, { limit: 1 })).messages[0].text, 'm1');
      });
    });
  });
}

/** Changes a returned message's text as a careless caller would; a frozen message refuses (a TypeError in strict code). */
function tryToChange(message: ChatMessage, text: string): void {
  try {
    message.text = text;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}
