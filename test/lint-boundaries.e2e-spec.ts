import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

/**
 * The layering rule, as eslint.config.js enforces it: each forbidden edge is reported and each allowed one is not.
 * The files are fake (lintText with a path inside the tree), so this holds whatever the real tree looks like.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const BOUNDARY_RULES = new Set(['no-restricted-imports', '@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']);

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** The boundary reports for `code` linted as if it were the file `filePath` (relative to the repository's root). */
async function boundaryReports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  const fatal = result.messages.filter((m) => m.fatal || !m.ruleId);
  expect(fatal).toEqual([]);
  return result.messages.filter((m) => BOUNDARY_RULES.has(m.ruleId ?? '')).map((m) => `${m.ruleId}: ${m.message}`);
}

/** A module that imports `source` and uses the binding, so only the import itself can be reported. */
const importing = (source: string): string => `import { thing } from '${source}';\nexport const used = thing;\n`;

const forbidden: Array<[string, string, string, RegExp]> = [
  ['domain -> @nestjs/common', 'src/core/websocket/domain/example.ts', importing('@nestjs/common'), /domain\//],
  ['domain -> socket.io', 'src/core/websocket/domain/example.ts', importing('socket.io'), /domain\//],
  ['domain -> ../application/x.js', 'src/core/websocket/domain/example.ts', importing('../application/x.js'), /domain\//],
  [
    'application -> ../../infrastructure/x.js',
    'src/core/websocket/application/services/example.ts',
    importing('../../infrastructure/x.js'),
    /application\//,
  ],
  ['application -> ../../api/x.js', 'src/core/websocket/application/services/example.ts', importing('../../api/x.js'), /application\//],
  [
    'core -> ../../modules/chat/index.js',
    'src/core/websocket/example.ts',
    importing('../../modules/chat/index.js'),
    /src\/core\/ must not depend on src\/modules/,
  ],
  [
    'feature -> deep core path',
    'src/modules/chat/application/example.ts',
    importing('../../../core/websocket/infrastructure/redis/redis-clients.js'),
    /only through core\/websocket\/index\.js/,
  ],
  // The same rules, seen from other places and import forms.
  ['feature domain -> @nestjs/common', 'src/modules/chat/domain/example.ts', importing('@nestjs/common'), /domain\//],
  ['feature domain -> ../ports/x.port.js', 'src/modules/chat/domain/example.ts', importing('../ports/x.port.js'), /domain\//],
  [
    'feature domain -> core domain (another unit)',
    'src/modules/chat/domain/example.ts',
    importing('../../../core/websocket/domain/rooms.js'),
    /domain\//,
  ],
  [
    'nested domain file -> ../../infrastructure/x.js',
    'src/core/websocket/domain/errors/example.ts',
    importing('../../infrastructure/x.js'),
    /domain\//,
  ],
  [
    'nested domain file -> ../../websocket.options.js (unit root)',
    'src/core/websocket/domain/errors/example.ts',
    importing('../../websocket.options.js'),
    /domain\//,
  ],
  ['domain -> ./x/../../api/y.js (unresolved escape)', 'src/core/websocket/domain/example.ts', importing('./x/../../api/y.js'), /domain\//],
  [
    'domain: import type from socket.io',
    'src/core/websocket/domain/example.ts',
    "import type { Socket } from 'socket.io';\nexport type S = Socket;\n",
    /domain\//,
  ],
  ['domain: export * from @nestjs/common', 'src/core/websocket/domain/example.ts', "export * from '@nestjs/common';\n", /domain\//],
  [
    'domain: import()',
    'src/core/websocket/domain/example.ts',
    "export const load = () => import('ioredis');\n",
    /domain\/ loads no module/,
  ],
  ['domain: typeof import()', 'src/core/websocket/domain/example.ts', "export type S = typeof import('socket.io');\n", /domain\//],
  [
    'feature application -> ../infrastructure/x.js',
    'src/modules/presence/application/example.ts',
    importing('../infrastructure/x.js'),
    /application\//,
  ],
  [
    'feature application -> ../api/x.handlers.js',
    'src/modules/chat/application/example.ts',
    importing('../api/chat.handlers.js'),
    /application\//,
  ],
  [
    'core infrastructure -> ../../../modules/x',
    'src/core/websocket/infrastructure/redis/example.ts',
    importing('../../../modules/presence/index.js'),
    /src\/core\//,
  ],
  ['core -> nest-realtime/chat', 'src/core/websocket/example.ts', importing('nest-realtime/chat'), /src\/core\//],
  [
    'feature (not a contract) -> core domain',
    'src/modules/chat/api/chat.handlers.ts',
    importing('../../../core/websocket/domain/contract.js'),
    /only through/,
  ],
  [
    'feature -> core application',
    'src/modules/chat/example.ts',
    importing('../../core/websocket/application/ports/x.port.js'),
    /only through/,
  ],
  ['client -> core infrastructure', 'src/client/example.ts', importing('../core/websocket/infrastructure/x.js'), /only through/],
];

const allowed: Array<[string, string, string]> = [
  ['domain -> zod', 'src/core/websocket/domain/example.ts', importing('zod')],
  ['domain -> node:crypto', 'src/core/websocket/domain/example.ts', importing('node:crypto')],
  ['domain -> ./other.js', 'src/core/websocket/domain/example.ts', importing('./other.js')],
  ['domain: typeof import(node:crypto)', 'src/core/websocket/domain/example.ts', "export type C = typeof import('node:crypto');\n"],
  [
    'nested domain file -> ../interfaces/x.js (still inside domain/)',
    'src/core/websocket/domain/errors/example.ts',
    importing('../interfaces/x.js'),
  ],
  ['feature domain -> ./other.js', 'src/modules/chat/domain/example.ts', importing('./other.js')],
  ['application -> ../ports/x.port.js', 'src/core/websocket/application/services/example.ts', importing('../ports/x.port.js')],
  ['application -> ../domain/x.js', 'src/modules/chat/application/example.ts', importing('../domain/x.js')],
  ['feature application -> ../ports/x.port.js', 'src/modules/chat/application/example.ts', importing('../ports/x.port.js')],
  ['application -> @nestjs/common', 'src/core/websocket/application/services/example.ts', importing('@nestjs/common')],
  [
    'infrastructure -> ../../application/services/x.js',
    'src/core/websocket/infrastructure/redis/example.ts',
    importing('../../application/services/x.js'),
  ],
  ['feature -> ../../../core/websocket/index.js', 'src/modules/chat/application/example.ts', importing('../../../core/websocket/index.js')],
  ['feature -> core internal.js', 'src/modules/chat/chat.module.ts', importing('../../core/websocket/internal.js')],
  ['client -> core domain contract', 'src/client/example.ts', importing('../core/websocket/domain/contract.js')],
  ['feature contract -> core domain contract', 'src/modules/chat/chat.contract.ts', importing('../../core/websocket/domain/contract.js')],
  ['feature schemas -> core domain', 'src/modules/chat/api/chat.schemas.ts', importing('../../../core/websocket/domain/utf16-string.js')],
  [
    'application unit test -> its infrastructure adapter',
    'src/core/websocket/application/services/example.spec.ts',
    importing('../../infrastructure/memory/x.js'),
  ],
];

describe('eslint.config.js import boundaries', () => {
  it.each(forbidden)('reports %s', async (_edge, filePath, code, message) => {
    const reports = await boundaryReports(filePath, code);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.join('\n')).toMatch(message);
  });

  it.each(allowed)('allows %s', async (_edge, filePath, code) => {
    expect(await boundaryReports(filePath, code)).toEqual([]);
  });
});
