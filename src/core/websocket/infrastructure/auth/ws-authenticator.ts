import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ExtendedError } from 'socket.io';
import { ConnectionManager } from '../../application/services/connection-manager.service.js';
import type { ErrorCode } from '../../domain/errors/error-code.js';
import { RealtimeException } from '../../application/errors/realtime.exception.js';
import type { RealtimeSocket } from '../../application/interfaces/realtime-socket.interface.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { ShutdownDrainer } from '../cluster/shutdown-drainer.service.js';
import { RealtimeMetrics } from '../metrics/realtime-metrics.js';
import { TokenVerifier } from '../../application/ports/token-verifier.port.js';
import { withTenant } from '../../application/services/tenant-of.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The handshake middleware: origin, token, per-user cap, in that order. A
 * refused handshake never becomes a socket, so no handler ever runs for it;
 * the client gets `connect_error` with `err.message === code` and
 * `err.data = { code, message }`.
 */
@Injectable()
export class WsAuthenticator {
  private readonly logger = new Logger('WsHandshake');
  private readonly origins: ReadonlySet<string>;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly connections: ConnectionManager,
    private readonly drainer: ShutdownDrainer,
    private readonly metrics: RealtimeMetrics,
    @Inject(WEBSOCKET_OPTIONS) private readonly options: ResolvedWebsocketOptions,
  ) {
    this.origins = new Set(options.corsOrigins);
  }

  readonly middleware = (socket: RealtimeSocket, next: (err?: ExtendedError) => void): void => {
    this.authenticate(socket).then(
      () => {
        this.metrics.handshake('ok');
        next();
      },
      (error: unknown) => next(this.refusal(socket, error)),
    );
  };

  private async authenticate(socket: RealtimeSocket): Promise<void> {
    if (this.drainer.isDraining) throw new RealtimeException('INTERNAL', 'This node is shutting down; connect again');
    const origin = socket.handshake.headers.origin;
    if (this.origins.size > 0 && origin !== undefined && !this.origins.has(origin)) {
      throw new RealtimeException('FORBIDDEN', 'This origin is not allowed');
    }
    socket.data.user = withTenant(this.verifier.verify(this.tokenOf(socket)), this.options.auth.tenantClaim);
    if (!(await this.connections.admit(socket))) {
      throw new RealtimeException('TOO_MANY_CONNECTIONS', 'This user has too many connections');
    }
  }

  private tokenOf(socket: RealtimeSocket): unknown {
    const { auth, headers, query } = socket.handshake;
    if (auth && typeof auth === 'object' && 'token' in auth) return auth.token;
    const bearer = typeof headers.authorization === 'string' ? BEARER.exec(headers.authorization) : null;
    if (bearer) return bearer[1];
    if (query.token !== undefined) {
      if (!this.options.auth.allowQueryToken) throw new RealtimeException('UNAUTHORIZED', 'Tokens in the URL are not accepted');
      return query.token;
    }
    return undefined;
  }

  private refusal(socket: RealtimeSocket, error: unknown): ExtendedError {
    let code: ErrorCode = 'UNAUTHORIZED';
    let message = 'Authentication failed';
    if (error instanceof RealtimeException) {
      ({ code, message } = error);
    } else {
      this.logger.error('Handshake failed unexpectedly', (error as Error)?.stack);
      code = 'INTERNAL';
      message = 'The server could not complete the handshake';
    }
    this.metrics.handshake(code);
    this.logger.debug({ msg: 'handshake refused', code, address: socket.handshake.address });
    const refusal: ExtendedError = new Error(code);
    refusal.data = { code, message };
    return refusal;
  }
}
