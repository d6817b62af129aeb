import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The suite ships as compiled JS, so node:test runs the build's copy, as an app would (npm test builds first).
const compiledSuite = fileURLToPath(new URL('../../../../dist/modules/chat/ports/room-access-policy.suite.js', import.meta.url));

/** A node:test file that runs the suite on a tiny policy answering `answer` for the rooms a user lists. */
function nodeTestFile(answer: 'true' | "'yes'"): string {
  return `import { describe, it, beforeEach, afterEach } from 'node:test';
import { describeRoomAccessPolicyContract } from ${JSON.stringify(pathToFileURL(compiledSuite).href)};

const user = (rooms) => ({ userId: 'ann', claims: { sub: 'ann', rooms }, expiresAt: 0 });
const policy = { canAccess: (u, roomId) => (u.claims.rooms.includes(roomId) ? ${answer} : false) };

describeRoomAccessPolicyContract(
  'tiny policy',
  () => ({ policy, allowed: { user: user(['a']), roomId: 'a' }, refused: { user: user(['a']), roomId: 'b' } }),
  { describe, it, beforeEach, afterEach },
);
`;
}

function runNodeTest(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const tapCount = (output: string, label: 'pass' | 'fail'): number =>
  Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(output)?.[1] ?? NaN);

describe('the RoomAccessPolicy suite under node:test', () => {
  const dir = mkdtempSync(join(tmpdir(), 'room-access-suite-'));

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (answer: 'true' | "'yes'") => {
    if (!existsSync(compiledSuite)) {
      throw new Error(
        `${compiledSuite} is missing: run \`npm run build\` first (npm test does), with *.suite.ts files included in tsconfig.build.json`,
      );
    }
    const file = join(dir, answer === 'true' ? 'good-policy.test.mjs' : 'yes-policy.test.mjs');
    writeFileSync(file, nodeTestFile(answer));
    return runNodeTest(file);
  };

  it('passes a policy that keeps the contract', async () => {
    const { code, output } = await run('true');
    if (code !== 0) throw new Error(`node --test exited with ${code}:\n${output}`);
    expect(tapCount(output, 'pass')).toBeGreaterThan(0);
    expect(tapCount(output, 'fail')).toBe(0);
  });

  it("fails a policy that answers 'yes' instead of true", async () => {
    const { code, output } = await run("'yes'");
    expect(code).not.toBe(0);
    expect(tapCount(output, 'fail')).toBeGreaterThan(0);
  });
});
