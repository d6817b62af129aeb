import { KeyedQueue } from './keyed-queue.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('KeyedQueue', () => {
  it('runs the tasks of one key one at a time, in the order they were queued', async () => {
    const queue = new KeyedQueue<string>();
    const seen: string[] = [];
    let release!: () => void;
    const first = queue.run('alice', () => new Promise<void>((resolve) => (release = () => (seen.push('first'), resolve()))));
    const second = queue.run('alice', () => void seen.push('second'));
    await tick();
    expect(seen).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(seen).toEqual(['first', 'second']);
  });

  it('runs the tasks of different keys side by side', async () => {
    const queue = new KeyedQueue<string>();
    const blocked = queue.run('alice', () => new Promise<void>(() => undefined));
    await expect(queue.run('bob', () => 'bob ran')).resolves.toBe('bob ran');
    void blocked;
  });

  it('fails only the caller of a failing task, runs the next task of its key, and forgets idle keys', async () => {
    const queue = new KeyedQueue<string>();
    const failing = queue.run('alice', () => Promise.reject(new Error('down')));
    const next = queue.run('alice', () => 'next ran');
    await expect(failing).rejects.toThrow('down');
    await expect(next).resolves.toBe('next ran');
    await tick();
    expect(queue.size).toBe(0);
  });
});
