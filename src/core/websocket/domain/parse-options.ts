import type { z } from 'zod';
// zod is the one package domain/ imports: it is the schema language.

/**
 * Validates a module's options once, at start-up. A bad value stops the app
 * with every offending option named: `Invalid ChatModule options: historyPerRoom: ...`.
 */
export function parseModuleOptions<S extends z.ZodType>(moduleName: string, schema: S, options: unknown): z.output<S> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`Invalid ${moduleName} options: ${problems.join('; ')}`);
  }
  return parsed.data;
}
