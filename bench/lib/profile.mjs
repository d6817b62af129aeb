// Reads a V8 .cpuprofile and names where the time went: self time per
// function, and per package (node_modules/<name>, the app's dist/, node
// internals), so the owner of a slow path can find it.
import { readFileSync } from 'node:fs';

export function summarizeProfile(path, { top = 25, events } = {}) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const keyOf = ({ callFrame }) =>
    `${callFrame.functionName || '(anonymous)'} ${shortUrl(callFrame.url)}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  const functions = new Map();
  const packages = new Map();
  // Inclusive time: each sample counts once for every distinct function on its stack.
  const inclusive = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node.callFrame.url) continue;
      const key = keyOf(node);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const key = keyOf(byId.get(id));
    functions.set(key, (functions.get(key) ?? 0) + us);
    const pkg = packageOf(callFrame.url, callFrame.functionName || '(anonymous)');
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  }
  const rank = (map, filter = () => true, count = top) =>
    [...map]
      .filter(([name]) => filter(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 100) / 10,
        share: Math.round((us / total) * 1000) / 10,
        ...(events ? { usPerEvent: Math.round((us / events) * 100) / 100 } : {}),
      }));
  // Inclusive figures of the code a request goes through, without Node's own stream plumbing.
  const pipeline = (name) => !/ node:/.test(name) && !name.startsWith('(');
  return {
    totalMs: Math.round(total / 1000),
    functions: rank(functions),
    packages: rank(packages),
    inclusive: rank(inclusive, pipeline, 40),
  };
}

function shortUrl(url) {
  if (!url) return '';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const dist = url.search(/\/(\.app-)?dist\//);
  if (dist >= 0) return url.slice(dist + 1);
  const bench = url.indexOf('/bench/');
  if (bench >= 0) return url.slice(bench + 1);
  return url.replace(/^file:\/\//, '');
}

function packageOf(url, name) {
  if (!url) return name.startsWith('(') ? name : '(native / V8 builtins)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (/\/(\.app-)?dist\//.test(url)) return 'this app (src/, built)';
  if (url.includes('/bench/')) return 'bench server script';
  if (url.startsWith('node:')) return 'node internals';
  return url;
}
