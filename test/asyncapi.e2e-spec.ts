import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { contracts } from '../src/contract.js';
import { ErrorCode } from '../src/core/websocket/index.js';
import { startApp, type TestApp } from './support/app.js';

describe('the AsyncAPI document', () => {
  let t: TestApp;
  let served: Record<string, any>;

  beforeAll(async () => {
    t = await startApp();
    served = (await (await fetch(`${t.url}/asyncapi.json`)).json()) as Record<string, any>;
  });
  afterAll(() => t?.close());

  it('is served at /asyncapi.json and the committed docs/asyncapi.json is not stale (npm run docs:asyncapi)', () => {
    expect(JSON.parse(readFileSync('docs/asyncapi.json', 'utf8'))).toEqual(served);
  });

  it('validates with the AsyncAPI parser', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(served));
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('has every request with its reply, every push, and every error code', () => {
    const names = Object.values(served.components.messages).map((m: any) => m.name);
    for (const contract of contracts) {
      for (const event of Object.keys(contract.requests)) expect(names).toEqual(expect.arrayContaining([event, `${event} reply`]));
      for (const event of Object.keys(contract.pushes)) expect(names).toContain(event);
    }
    expect(served.components.schemas.ErrorBody.properties.code.enum.sort()).toEqual(Object.values(ErrorCode).sort());
    expect(served.operations['receive.chat.send'].reply.messages).toHaveLength(1);
    expect(served.operations['send.presence.update'].action).toBe('send');
  });
});
