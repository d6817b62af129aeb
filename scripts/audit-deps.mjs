// CI's dependency audit: `npm audit --omit=dev` on what ships, failing on any
// high or critical advisory that SECURITY.md does not explain (ACCEPTED below,
// keyed by advisory URL, each with its reason). When the registry's audit
// endpoint cannot be reached (an offline or mirrored registry answers it with
// an error), it says so and passes, unless AUDIT_STRICT=1: an audit that could
// not run is reported, never mistaken for a clean one.
import { spawnSync } from 'node:child_process';

/** Advisories accepted after review; each must have its paragraph in SECURITY.md. */
const ACCEPTED = new Map([
  // ['https://github.com/advisories/GHSA-xxxx-xxxx-xxxx', 'why it does not apply'],
]);
const FAIL_AT = new Set(['high', 'critical']);

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  report = undefined;
}

if (!report || report.statusCode || report.error || !report.metadata) {
  const why = report?.message ?? report?.error?.summary ?? run.stderr.trim().split('\n').pop() ?? 'no answer';
  console.log(`dependency audit: SKIPPED, the registry's audit endpoint could not be reached (${why})`);
  process.exit(process.env.AUDIT_STRICT === '1' ? 1 : 0);
}

const counts = report.metadata.vulnerabilities;
const findings = [];
for (const [name, vulnerability] of Object.entries(report.vulnerabilities ?? {})) {
  for (const via of vulnerability.via) {
    if (typeof via !== 'object' || !FAIL_AT.has(via.severity)) continue;
    if (ACCEPTED.has(via.url)) continue;
    findings.push(`${via.severity}: ${name} ${vulnerability.range}: ${via.title} (${via.url})`);
  }
}
console.log(`dependency audit (production dependencies): ${JSON.stringify(counts)}`);
if (findings.length > 0) {
  console.log(
    `unexplained high or critical advisories:\n  ${[...new Set(findings)].join('\n  ')}\nUpgrade, or explain each in SECURITY.md and list it in scripts/audit-deps.mjs.`,
  );
  process.exit(1);
}
console.log('dependency audit: no unexplained high or critical advisory');
