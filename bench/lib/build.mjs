// Builds src/ with the app's own tsconfig.build.json into bench/.app-dist, a
// build only the benchmark uses, so another `npm run build` (npm test runs one)
// cannot replace files under a running server. Skipped when src/ has not
// changed since the last bench build.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { APP_DIST } from './variants.mjs';

export function buildApp(root) {
  const srcHash = hashTree(join(root, 'src'));
  const stamp = join(APP_DIST, '.src-hash');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === srcHash) return { srcHash, built: false };
  rmSync(APP_DIST, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', APP_DIST],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  writeFileSync(stamp, srcHash);
  return { srcHash, built: true };
}

function hashTree(dir) {
  const hash = createHash('sha256');
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        hash.update(relative(dir, full));
        hash.update(readFileSync(full));
      }
    }
  };
  walk(dir);
  return hash.digest('hex').slice(0, 16);
}
