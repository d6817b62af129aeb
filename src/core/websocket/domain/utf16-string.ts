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
