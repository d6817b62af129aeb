import type { ParameterDecoratorOptions } from '@nestjs/common';

/** The schema of a `@MessageBody({ schema })` parameter: zod's, or any Standard Schema (named through Nest, a peer, not its own package). */
export type BodySchema = NonNullable<ParameterDecoratorOptions['schema']>;

/**
 * Validates a `@MessageBody({ schema })` parameter, as the pipe every
 * `@RealtimeHandler()` class gets does: the module binds that very pipe
 * instance, so the direct invoker can tell it apart from any other pipe.
 */
export abstract class BodyValidator {
  /**
   * The validated (possibly transformed) value, or a promise of it when the
   * schema answers asynchronously; throws `BAD_REQUEST` with the issues in `details`.
   */
  abstract check(value: unknown, schema: BodySchema): unknown;
}
