import { StandardSchemaValidationPipe } from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { RealtimeException } from '../../application/errors/realtime.exception.js';
import type { BodySchema, BodyValidator } from '../../application/ports/body-validator.port.js';

/** A client controls how many issues its payload has; only this many are reported. */
const MAX_REPORTED_ISSUES = 20;

interface Issue {
  message: string;
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
}

/** One issue as `details` reports it: where (`text`, `userIds.3`, or `""` for the body itself) and what. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/**
 * Validates `@MessageBody({ schema })` with the schema (zod, or any Standard
 * Schema), and turns a failure into `BAD_REQUEST` with the issues in `details`.
 * Every `@RealtimeHandler()` class gets it.
 */
export class MessageValidationPipe extends StandardSchemaValidationPipe implements BodyValidator {
  constructor() {
    super({
      exceptionFactory: (issues: ReadonlyArray<Issue>) => {
        const details: ValidationIssue[] = issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => ({
          path: (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.'),
          message: issue.message,
        }));
        return new RealtimeException('BAD_REQUEST', 'The request is not valid', details);
      },
    });
  }

  /**
   * The pipe's validation (validate, throw its exception) without a promise
   * when the schema answers synchronously, as zod's do: the router's direct
   * path calls this on every event. It skips the pipe's prototype-key strip:
   * the router's `screenBody` has already removed those keys in its own walk.
   */
  check(value: unknown, schema: BodySchema): unknown {
    const result = this.validate(value, schema);
    return result instanceof Promise ? result.then((settled) => this.settle(settled)) : this.settle(result);
  }

  private settle(result: StandardSchemaV1.Result<unknown>): unknown {
    if (result.issues) throw this.exceptionFactory(result.issues);
    return result.value;
  }
}

export const messageValidationPipe = new MessageValidationPipe();
