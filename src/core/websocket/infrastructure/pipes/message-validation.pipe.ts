import { StandardSchemaValidationPipe } from '@nestjs/common';
import { RealtimeException } from '../../domain/errors/realtime.exception.js';

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
export const messageValidationPipe = new StandardSchemaValidationPipe({
  exceptionFactory: (issues: ReadonlyArray<Issue>) => {
    const details: ValidationIssue[] = issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => ({
      path: (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.'),
      message: issue.message,
    }));
    return new RealtimeException('BAD_REQUEST', 'The request is not valid', details);
  },
});
