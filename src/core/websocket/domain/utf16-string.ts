import { z } from 'zod';
// zod is the one package domain/ imports: it is the schema language.

/**
 * A string of `min` to `max` UTF-16 code units: JavaScript's `length`, the
 * unit the protocol promises and every client counts in. zod's own
 * `min`/`max` count code points, so an emoji would count once instead of
 * twice; they stay for the JSON Schema of documents, and the refinement
 * decides.
 */
export function utf16String(min: number, max: number): z.ZodString {
  return z
    .string()
    .min(min, { abort: true })
    .max(max, { abort: true })
    .refine((value) => value.length >= min && value.length <= max, {
      message: `must be ${min} to ${max} UTF-16 code units long`,
      abort: true,
    });
}

/**
 * True for a non-empty string of well-formed Unicode. A lone surrogate has no
 * UTF-8 form: Redis (and any UTF-8 store) keeps it as U+FFFD, so two ids that
 * differ only there would name the same keys and rooms.
 */
export function isWellFormedId(value: unknown): value is string {
  // String#isWellFormed is ES2024 (Node 20 has it; the compile target's lib does not name it).
  return typeof value === 'string' && value.length > 0 && (value as string & { isWellFormed(): boolean }).isWellFormed();
}
