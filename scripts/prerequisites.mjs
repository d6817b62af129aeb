// The system programs the test suites start: redis-server (Redis suites),
// haproxy (the topology suite) and Chromium (the demo's browser test). `npm test`
// runs this first. On Debian or Ubuntu as root it installs what is missing
// with apt-get, as CI does; anywhere else it prints the command and stops.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const onPath = (command) => (process.env.PATH ?? '').split(delimiter).some((dir) => isExecutable(join(dir, command)));

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const needs = [
  { what: 'redis-server', apt: 'redis-server', present: () => onPath('redis-server') && onPath('redis-cli') },
  { what: 'haproxy', apt: 'haproxy', present: () => onPath('haproxy') },
  { what: `Chromium at ${chromiumPath} (or set CHROMIUM_PATH)`, apt: 'chromium', present: () => isExecutable(chromiumPath) },
];

const missing = () => needs.filter((need) => !need.present());
let absent = missing();
if (absent.length === 0) process.exit(0);

const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
const debianLike = /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(osRelease) && onPath('apt-get');
const packages = absent.map((need) => need.apt);
const command = `sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`;

if (debianLike && process.getuid?.() === 0 && process.env.NEST_REALTIME_NO_INSTALL !== '1') {
  console.error(`Installing what the tests need: ${packages.join(', ')}`);
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...packages],
  ]) {
    const run = spawnSync('apt-get', args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (run.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed (exit ${run.status})`);
      process.exit(1);
    }
  }
  absent = missing();
  if (absent.length === 0) process.exit(0);
}

console.error('The tests need programs this machine does not have:');
for (const need of absent) console.error(`  - ${need.what}`);
if (debianLike) console.error(`Install them with:\n  ${command}`);
else console.error(`Install them with your package manager (Debian/Ubuntu: ${command}).`);
if (absent.some((need) => need.apt === 'chromium')) {
  console.error(
    'Where Chromium comes as a snap (Ubuntu), set CHROMIUM_PATH to its binary instead, e.g. CHROMIUM_PATH=/snap/bin/chromium npm test.',
  );
}
process.exit(1);
