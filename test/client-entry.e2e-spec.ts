import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

// `nest-realtime/client` goes into browser bundles and into apps that do not
// install Nest: what the built entry reaches, in code and in types, is checked
// here on dist/ as it ships (`npm test` builds it before Jest runs).
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** A file of dist/, or a failure that says how to make it. */
function built(path: string): string {
  const file = join(dist, path);
  if (!existsSync(file)) throw new Error(`${relative(root, file)} is missing: run \`npm run build\` first (npm test does)`);
  return file;
}

const isRelative = (specifier: string): boolean => /^\.{1,2}\//.test(specifier);

/** `@scope/name/sub` to `@scope/name`, `name/sub` to `name`; `node:fs` stays as it is. */
const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * Every module specifier a file names: static imports and re-exports,
 * `import()` and `require()` calls, `import("…")` types, `import x = require()`,
 * `declare module '…'` and triple-slash references. A computed specifier fails
 * the check, since nothing could say where it leads.
 */
function specifiersOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('.d.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS,
  );
  const found: string[] = [];
  const literal = (node: ts.Node | undefined, what: string): void => {
    if (node && ts.isStringLiteralLike(node)) found.push(node.text);
    else throw new Error(`${relative(root, file)}: ${what} with a specifier computed at run time cannot be followed`);
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) literal(node.moduleSpecifier, 'an import');
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      literal(node.moduleReference.expression, 'import =');
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal, 'an import type');
    else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) found.push(node.name.text);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) literal(node.arguments[0], 'import()');
      else if (ts.isIdentifier(callee) && callee.text === 'require') literal(node.arguments[0], 'require()');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  // `/// <reference types="x" />` pulls in package x; `/// <reference path>` a file.
  found.push(...source.typeReferenceDirectives.map((ref) => ref.fileName));
  found.push(...source.referencedFiles.map((ref) => (isRelative(ref.fileName) ? ref.fileName : `./${ref.fileName}`)));
  return found;
}

/**
 * Follows every relative specifier from `entry` through dist/ and returns
 * the files reached and the bare specifiers (packages, `node:` modules) named
 * on the way. `toFile` maps a relative specifier's target to the file that
 * serves it (the `.d.ts` of a `.js`, for declarations).
 */
function walk(entry: string, toFile: (target: string) => string): { files: string[]; bare: Map<string, string[]> } {
  const files = new Set<string>();
  const bare = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of specifiersOf(file)) {
      if (isRelative(specifier)) {
        const target = toFile(resolve(dirname(file), specifier));
        if (!existsSync(target))
          throw new Error(`${relative(root, file)} names ${specifier}, but ${relative(root, target)} does not exist`);
        queue.push(target);
      } else {
        bare.set(specifier, [...(bare.get(specifier) ?? []), relative(dist, file)]);
      }
    }
  }
  return { files: [...files].map((file) => relative(dist, file)).sort(), bare };
}

const declarationOf = (target: string): string => {
  if (target.endsWith('.d.ts')) return target;
  if (target.endsWith('.mjs')) return target.replace(/\.mjs$/, '.d.mts');
  return target.replace(/\.js$/, '.d.ts');
};

/**
 * The reached files that package.json's `files` would leave out of the
 * tarball (an import of one would fail in an app). Entries are taken as
 * folder or file paths, which is how the package lists them.
 */
function unpublished(files: string[]): string[] {
  const { files: published } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files?: string[] };
  if (!published) return [];
  const prefixes = published.map((entry) => entry.replace(/^\.\//, '').replace(/\/$/, ''));
  return files.map((file) => `dist/${file}`).filter((file) => !prefixes.some((prefix) => file === prefix || file.startsWith(`${prefix}/`)));
}

/** Lists which file asked for what, as a failure message can show it. */
const describeBare = (bare: Map<string, string[]>): string =>
  [...bare].map(([specifier, from]) => `${specifier} (from ${[...new Set(from)].join(', ')})`).join('\n');

describe('the client entry (nest-realtime/client), as built', () => {
  it('imports socket.io-client and nothing else at run time, however deep', () => {
    const { files, bare } = walk(built('client/index.js'), (target) => target);
    expect(files).toContain('client/realtime-client.js');
    expect(unpublished(files)).toEqual([]);
    // One line per specifier, with the files that name it, so a failure says where to look.
    expect(describeBare(bare)).toMatch(/^socket\.io-client \(from [^\n]+\)$/);
  });

  it('declares its types with socket.io-client and zod only: no Nest, no socket.io server', () => {
    const { files, bare } = walk(built('client/index.d.ts'), declarationOf);
    // The contracts are reached: the client's types come from them.
    expect(files).toEqual(
      expect.arrayContaining(['client/contracts.d.ts', 'core/websocket/api/session.contract.d.ts', 'modules/chat/chat.contract.d.ts']),
    );
    expect(unpublished(files)).toEqual([]);
    const packages = [...new Set([...bare.keys()].map(packageOf))].sort();
    const outside = packages.filter((name) => name !== 'socket.io-client' && name !== 'zod');
    expect({ outside, from: outside.length > 0 ? describeBare(bare) : '' }).toEqual({ outside: [], from: '' });
    expect(packages).toContain('socket.io-client');
  });

  it('loads in Node with socket.io-client as the only package its own files ask for', async () => {
    const entry = built('client/index.js');
    const staticFiles = walk(entry, (target) => target).files;
    // A resolve hook records every specifier and who asked for it; only the requests of dist/ files count
    // (socket.io-client's own dependencies are its business).
    const dir = await mkdtemp(join(tmpdir(), 'nest-realtime-client-entry-'));
    try {
      const log = join(dir, 'resolutions.jsonl');
      await writeFile(log, '');
      await writeFile(
        join(dir, 'hooks.mjs'),
        `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(log, JSON.stringify({ specifier, parent: context.parentURL ?? null, url: result.url }) + '\\n');
  return result;
}
`,
      );
      await writeFile(
        join(dir, 'register.mjs'),
        `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url, { data: { log: ${JSON.stringify(log)} } });\n`,
      );
      await promisify(execFile)(
        process.execPath,
        [
          '--import',
          pathToFileURL(join(dir, 'register.mjs')).href,
          '--input-type=module',
          '-e',
          `await import(${JSON.stringify(pathToFileURL(entry).href)});`,
        ],
        { cwd: root },
      );
      const resolutions = (await readFile(log, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { specifier: string; parent: string | null; url: string });
      const distUrl = pathToFileURL(dist).href + '/';
      const fromDist = resolutions.filter((r) => r.parent?.startsWith(distUrl));
      const loaded = [...new Set([pathToFileURL(entry).href, ...fromDist.map((r) => r.url)].filter((url) => url.startsWith(distUrl)))]
        .map((url) => relative(dist, fileURLToPath(url)))
        .sort();
      const packages = [...new Set(fromDist.filter((r) => !isRelative(r.specifier)).map((r) => r.specifier))].sort();
      expect(packages).toEqual(['socket.io-client']);
      // What Node loaded of dist/ is what the static walk found: the walk misses nothing.
      expect(loaded).toEqual(staticFiles);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
