// `--commit=<rev>`: the app built from a commit's src/ rather than from the
// working tree, for a run that must not depend on edits under way in src/
// (a build of a half-edited tree fails, or measures code nobody committed).
// The commit's src/ and tsconfig files are extracted with `git archive` and
// built with the app's tsconfig.build.json under
// node_modules/.cache/nest-realtime-scale/<commit>/ (the packages resolve
// from there, and git, Prettier and ESLint leave the folder alone); a
// finished build is kept and reused.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function buildCommit(root, rev) {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: root })
    .toString()
    .trim();
  const dir = join(root, 'node_modules', '.cache', 'nest-realtime-scale', commit.slice(0, 12));
  const dist = join(dir, 'dist');
  const stamp = join(dir, '.built');
  if (existsSync(stamp)) return { commit, dist, built: false };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', commit, 'src', 'tsconfig.json', 'tsconfig.build.json'], {
    cwd: root,
    maxBuffer: 256 * 2 ** 20,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.build.json'), '--outDir', dist],
    {
      cwd: dir,
      stdio: 'inherit',
    },
  );
  writeFileSync(stamp, commit);
  return { commit, dist, built: true };
}
