import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/** The publish API's own path. */
export const PUBLISH_PATH = '/realtime/publish';

/**
 * Gives the publish API one error shape, `{ error: { code, message } }`, for
 * the refusals that happen before its controller runs: a body that is not
 * JSON, or one over the JSON parser's own limit (413 there; a body over
 * `WS_MAX_PAYLOAD_BYTES` is a 400 here, as the controller answers it).
 * Every other route keeps Nest's answers. An app opts in, since a global
 * filter is the app's choice:
 *
 * @example
 * app.useGlobalFilters(new PublishErrorsFilter(app.get(HttpAdapterHost).httpAdapter));
 */
@Catch()
export class PublishErrorsFilter extends BaseExceptionFilter implements ExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    // A global filter sees the gateway's exceptions too: those go on to the realtime router's own handling.
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<{ url?: string; originalUrl?: string }>();
    const path = (request?.originalUrl ?? request?.url ?? '').split('?')[0];
    const status = exception instanceof HttpException ? exception.getStatus() : (exception as { status?: number })?.status;
    if (path !== PUBLISH_PATH || (status !== 400 && status !== 413)) return super.catch(exception, host);
    const response = exception instanceof HttpException ? exception.getResponse() : undefined;
    if (typeof response === 'object' && response !== null && 'error' in response && typeof response.error === 'object') {
      return super.catch(exception, host);
    }
    const message = status === 413 ? 'The body is too large' : `The body is not JSON: ${(exception as Error).message}`;
    const reply = http.getResponse<{ status(code: number): { json(body: unknown): void } }>();
    reply.status(400).json({ error: { code: 'BAD_REQUEST', message } });
  }
}
