import {
  BadRequestException,
  Body,
  Controller,
  Headers,
  HttpCode,
  Inject,
  Logger,
  NotFoundException,
  Post,
  ServiceUnavailableException,
  UnauthorizedException,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { MessageRouter, RETRY_AFTER_MS } from '../../core/websocket/application/services/message-router.service.js';
import { SocketServerHost } from '../../core/websocket/application/services/socket-server.host.js';
import { RealtimeMetrics } from '../../core/websocket/infrastructure/metrics/realtime-metrics.js';
import { RedisClients } from '../../core/websocket/infrastructure/redis/redis-clients.js';
import { WEBSOCKET_OPTIONS } from '../../core/websocket/websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../core/websocket/websocket.options.js';
import { Publishable, PublishError, publishTargetSchema, roomsOf } from '../../publisher/publishable.js';
import { REALTIME_HTTP_OPTIONS, type ResolvedRealtimeHttpOptions } from '../realtime-http.options.js';

const bodySchema = z.strictObject({ to: publishTargetSchema, event: z.string().min(1).max(128), data: z.unknown() });

/** `{ error: { code, message, details? } }`, the shape of every refusal of the publish API. */
function refusal(code: 'BAD_REQUEST' | 'UNAUTHORIZED' | 'UNAVAILABLE', message: string, details?: unknown) {
  return { error: { code, message, ...(details !== undefined && { details }) } };
}

/** A digest of fixed length, so the comparison takes the same time whatever the length of what was sent. */
const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * `POST /realtime/publish`: a push from a service in any language, to one
 * user, up to 1,000 users or a chat room, on every node, through the Redis
 * adapter. Off (404) until the module's `publishApiKey` is set; the key is
 * compared in constant time. The event must be a push a contract declares
 * for publishing, and its payload must pass that push's schema; nothing is
 * logged of the payload.
 */
@Controller('realtime')
export class RealtimePublishController implements OnApplicationBootstrap {
  private readonly logger = new Logger('RealtimePublish');
  private publishable = new Publishable();
  private readonly key?: Buffer;

  constructor(
    @Inject(REALTIME_HTTP_OPTIONS) options: ResolvedRealtimeHttpOptions,
    @Inject(WEBSOCKET_OPTIONS) private readonly websocket: ResolvedWebsocketOptions,
    private readonly router: MessageRouter,
    private readonly host: SocketServerHost,
    private readonly metrics: RealtimeMetrics,
    private readonly redis: RedisClients,
  ) {
    if (options.publishApiKey !== undefined) this.key = digest(options.publishApiKey);
  }

  /** The app's contracts are known once every handler is routed. */
  onApplicationBootstrap(): void {
    this.publishable = new Publishable(this.router.contracts);
  }

  @Post('publish')
  @HttpCode(202)
  publish(
    @Headers('authorization') authorization: string | undefined,
    @Headers('content-length') length: string | undefined,
    @Body() body: unknown,
  ): { accepted: true } {
    if (!this.key) throw new NotFoundException();
    const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), this.key)) {
      this.metrics.publish('unknown', 'UNAUTHORIZED');
      throw new UnauthorizedException(refusal('UNAUTHORIZED', 'A valid publish API key is required: Authorization: Bearer <key>'));
    }
    // A chunked body names no length: then the size of what was parsed counts.
    const size = length === undefined ? Buffer.byteLength(JSON.stringify(body) ?? '') : Number(length);
    if (size > this.websocket.maxPayloadBytes) {
      return this.refuse('unknown', `The body is over ${this.websocket.maxPayloadBytes} bytes (WS_MAX_PAYLOAD_BYTES)`);
    }
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      return this.refuse(
        'unknown',
        'The body must be { to: { userId } | { userIds: [1 to 1000 ids] } | { roomId } (each with tenant, with tenants), event, data }',
        issues,
      );
    }
    const { to, event, data } = parsed.data;
    // With tenants a push is for one tenant's users and rooms, named; without, a tenant names nothing.
    if ((to.tenant !== undefined) !== (this.websocket.auth.tenantClaim !== undefined)) {
      const message =
        to.tenant === undefined ? 'This server has tenants: give to.tenant' : 'This server has no tenants: to.tenant is not accepted';
      return this.refuse('unknown', message, [{ path: 'to.tenant', message }]);
    }
    const known = this.publishable.has(event) ? event : 'unknown';
    let payload: unknown;
    try {
      payload = this.publishable.payloadOf(event, data);
    } catch (error) {
      if (error instanceof PublishError) return this.refuse(known, error.message, error.details);
      throw error;
    }
    // The adapter drops a push it cannot hand to Redis without a word: say so instead.
    if (!this.redis.healthy) {
      this.metrics.publish(known, 'UNAVAILABLE');
      throw new ServiceUnavailableException(
        refusal('UNAVAILABLE', 'Redis is unreachable: the push was not sent; try again', { retryAfterMs: RETRY_AFTER_MS }),
      );
    }
    const targets = roomsOf(to);
    this.host.server.to(targets).emit(event, payload);
    this.metrics.publish(event, 'accepted');
    this.logger.debug(`Published ${event} to ${targets.length} room(s)`);
    return { accepted: true };
  }

  private refuse(event: string, message: string, details?: unknown): never {
    this.metrics.publish(event, 'BAD_REQUEST');
    throw new BadRequestException(refusal('BAD_REQUEST', message, details));
  }
}
