import { Body, Controller, HttpCode, Inject, Post, StandardSchemaValidationPipe, UsePipes } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { z } from 'zod';
import { APP_CONFIG } from '../config/app-config.token.js';
import { signingAlgorithm, type AppConfig } from '../config/app.config.js';

const ROOM_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export const devTokenSchema = z.object({
  userId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." and "-", 1 to 64'),
  rooms: z
    .array(z.union([z.literal('*'), z.string().regex(ROOM_ID)]))
    .max(100)
    .optional(),
});

/** Signs short-lived tokens for trying the server. Only mounted when DEV_AUTH is on, never in production. */
@Controller('auth')
@UsePipes(new StandardSchemaValidationPipe())
export class DevTokenController {
  private readonly jwt = new JwtService();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Post('dev-token')
  @HttpCode(200)
  issue(@Body({ schema: devTokenSchema }) body: z.infer<typeof devTokenSchema>): { token: string } {
    const { auth } = this.config.websocket;
    const payload: Record<string, unknown> = { sub: body.userId };
    if (body.rooms) payload.rooms = body.rooms;
    const token = this.jwt.sign(payload, {
      secret: auth.secret,
      algorithm: signingAlgorithm(auth),
      expiresIn: '1h',
      ...(auth.issuer ? { issuer: auth.issuer } : {}),
      ...(auth.audience ? { audience: auth.audience } : {}),
    });
    return { token };
  }
}
