import { JwtService } from '@nestjs/jwt';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, signingAlgorithm } from '../config/app.config.js';

/**
 * `npm run token -- <userId> [--rooms a,b] [--ttl 1h]`: prints a token signed
 * with the server's JWT_SECRET (and JWT_ISSUER / JWT_AUDIENCE when set), for
 * trying the server from any client.
 */
const usage = 'usage: npm run token -- <userId> [--rooms a,b|*] [--ttl 1h]';
try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { rooms: { type: 'string' }, ttl: { type: 'string', default: '1h' } },
  });
  const [userId] = positionals;
  if (!userId || positionals.length > 1) throw new ConfigError(usage);
  if (!/^(\d+)([smhd]?)$/.test(values.ttl)) throw new ConfigError(`--ttl: a number of seconds or e.g. 30m, 1h, 7d (${usage})`);
  const config = loadConfig();
  if (config.generatedSecret || !config.websocket.auth.secret) {
    throw new ConfigError("JWT_SECRET is not set: tokens are signed with the key the server verifies, so set it to the server's secret");
  }
  const { auth } = config.websocket;
  const payload: Record<string, unknown> = { sub: userId };
  if (values.rooms !== undefined)
    payload.rooms = values.rooms
      .split(',')
      .map((room) => room.trim())
      .filter(Boolean);
  const ttl = /^\d+$/.test(values.ttl) ? Number(values.ttl) : values.ttl;
  const token = new JwtService().sign(payload, {
    secret: auth.secret,
    algorithm: signingAlgorithm(auth),
    expiresIn: ttl as number,
    ...(auth.issuer ? { issuer: auth.issuer } : {}),
    ...(auth.audience ? { audience: auth.audience } : {}),
  });
  process.stdout.write(`${token}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
