import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startApp, type TestApp } from './support/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The demo page at `/`, driven in headless Chromium by two users in two browser contexts. */
describe('the demo page', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium is not at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
    t = await startApp({ DEV_AUTH: 'true' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(userId: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1000, height: 640 } })).newPage();
    await page.goto(t.url);
    await page.fill('#user', userId);
    await page.click('#login button');
    await page.waitForSelector(`#status:has-text("signed in as ${userId}")`);
    await page.click('#join button');
    await page.waitForSelector('#send:not(.hidden)');
    return page;
  }

  it('lets two users chat, see each other online and typing, and delivers a mention', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');

    await alice.fill('#text', 'hello @bob, are you there?');
    await alice.click('#send button');
    await bob.waitForSelector('#messages li:has-text("hello @bob, are you there?")');
    await bob.waitForSelector('#notifications li:has-text("alice mentioned you in lobby")');
    await bob.waitForSelector('#presence li.online[data-user="alice"]');

    await bob.type('#text', 'yes, typing an answer');
    await alice.waitForSelector('#typing:has-text("bob is typing")');
    await alice.waitForSelector('#presence li.online[data-user="bob"]');
    await bob.click('#send button');
    await alice.waitForSelector('#messages li:has-text("yes, typing an answer")');
    await alice.waitForSelector('#typing:empty');

    // UPDATE_DEMO_SCREENSHOT=1 refreshes the README's picture.
    await bob.screenshot({ path: process.env.UPDATE_DEMO_SCREENSHOT ? 'docs/demo.png' : join(tmpdir(), `demo-${process.pid}.png`) });
    expect(await alice.locator('#messages li').count()).toBe(2);
    expect(await alice.locator('#notifications li').count()).toBe(0);
  }, 30_000);
});
