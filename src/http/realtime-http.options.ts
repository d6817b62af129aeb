import { z } from 'zod';

/** Options of `RealtimeHttpModule.forRoot()` / `forRootAsync()`. */
export interface RealtimeHttpModuleOptions {
  /** The `info` of the AsyncAPI document. @default { title: 'Realtime API', version: '1.0.0', description: 'Events over one Socket.IO gateway' } */
  asyncapiInfo?: { title?: string; version?: string; description?: string };
  /**
   * The key of `POST /realtime/publish` (`Authorization: Bearer <key>`), at
   * least 32 characters; unset, the endpoint answers 404. The reference server
   * reads it from `PUBLISH_API_KEY`.
   */
  publishApiKey?: string;
}

export const realtimeHttpOptionsSchema = z.object({
  asyncapiInfo: z
    .object({
      title: z.string().min(1).default('Realtime API'),
      version: z.string().min(1).default('1.0.0'),
      description: z.string().default('Events over one Socket.IO gateway'),
    })
    .prefault({}),
  publishApiKey: z.string().min(32, 'at least 32 characters: a key that can be guessed opens pushes to every user').optional(),
});

export type ResolvedRealtimeHttpOptions = z.output<typeof realtimeHttpOptionsSchema>;

/** DI token of the validated options with their defaults applied. */
export const REALTIME_HTTP_OPTIONS = Symbol('REALTIME_HTTP_OPTIONS');
