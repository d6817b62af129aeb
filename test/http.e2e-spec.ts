import { z } from 'zod';
import { defineContract, OnMessage, RealtimeHandler, MessageBody } from 'nest-realtime';
import { RealtimeHttpModule } from 'nest-realtime/http';
import { request, startTestApp, type TestServer } from 'nest-realtime/testing';

const pingContract = defineContract({
  requests: { 'ping:send': { summary: 'Ping', body: z.object({ n: z.number().int() }), reply: z.object({ n: z.number().int() }) } },
  pushes: { 'ping:heard': { summary: 'Heard a ping', payload: z.object({ n: z.number().int() }) } },
});

@RealtimeHandler({ contract: pingContract })
class PingHandlers {
  @OnMessage('ping:send')
  send(@MessageBody({ schema: pingContract.requests['ping:send'].body }) body: { n: number }) {
    return body;
  }
}

describe('RealtimeHttpModule in an app of its own', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves readiness, and an AsyncAPI document with the app’s own contract beside the core’s', async () => {
    server = await startTestApp({
      imports: [RealtimeHttpModule.forRoot({ metrics: false, asyncapiInfo: { title: 'Ping API' } })],
      providers: [PingHandlers],
    });
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      info: { websocket: { status: 'up' }, redis: { status: 'up', mode: 'single node' } },
      error: {},
      details: { websocket: { status: 'up' }, redis: { status: 'up', mode: 'single node' } },
    });
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);

    const document = (await (await fetch(`${server.url}/asyncapi.json`)).json()) as {
      info: { title: string };
      operations: Record<string, unknown>;
    };
    expect(document.info.title).toBe('Ping API');
    expect(Object.keys(document.operations)).toEqual(
      expect.arrayContaining(['receive.ping.send', 'send.ping.heard', 'receive.auth.refresh', 'send.session.ready']),
    );

    const socket = await server.connect('alice');
    expect(await request(socket, 'ping:send', { n: 7 })).toEqual({ ok: true, data: { n: 7 } });
  });

  it('mounts no /metrics when told not to, and no endpoint at all that is turned off', async () => {
    server = await startTestApp({ imports: [RealtimeHttpModule.forRoot({ metrics: false, asyncapi: false, health: false })] });
    for (const path of ['/metrics', '/asyncapi.json', '/health/ready']) expect((await fetch(`${server.url}${path}`)).status).toBe(404);
  });

  it('serves Prometheus text at /metrics by default', async () => {
    server = await startTestApp({ imports: [RealtimeHttpModule.forRoot()] });
    const socket = await server.connect('alice');
    await request(socket, 'auth:refresh', { token: 'not a token' });
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toMatch(/realtime_events_total\{event="auth:refresh",outcome="UNAUTHORIZED"\} 1/);
  });
});
