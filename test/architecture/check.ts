/**
 * Checks every import (static, `export ... from`, dynamic `import()`,
 * `import type`) and every package.json dependency against the rule table.
 * Pure over its inputs: `checkSource` takes the file's text, so a test can
 * feed it imports that exist nowhere on disk.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';
import { RULES, SCOPE, type Rule } from './rules.ts';

export interface PackageInfo {
  /** `exports` keys, e.g. `.`, `./testing`. */
  exports: string[];
  /** Every dependency name it declares (dependencies, devDependencies, peer, optional). */
  declared: Set<string>;
}

export interface Workspace {
  /** Packages by folder name (`packages/<folder>`); the npm name is `@squadflow/<folder>`. */
  packages: Map<string, PackageInfo>;
  /** What the root package.json declares (root test/, bench/, examples/, scripts/ resolve through it). */
  rootDeclared: Set<string>;
  rules: Readonly<Record<string, Rule>>;
}

interface Manifest {
  name?: string;
  exports?: string | Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;
/** Folders outside packages/ whose files may import anything (by name). */
export const ROOT_CONSUMERS = ['test', 'bench', 'examples', 'scripts'];
const SOURCE = /\.(?:ts|mts|cts|tsx)$/;

/** `packages/<name>/...` → `<name>`; anything else belongs to the root. */
export function packageOf(path: string): string | undefined {
  return /^packages\/([^/]+)\//.exec(path)?.[1];
}

function describeRule(name: string, rule: Rule): string {
  if (rule.may === 'anything') return `${name} may import anything`;
  return rule.may.length === 0 ? `${name} may import nothing of ours` : `${name} may import ${rule.may.join(', ')}`;
}

function allows(rule: Rule, target: string): boolean {
  return rule.may === 'anything' || rule.may.includes(target);
}

/** Problems in one file: `<path>:<line> imports '<specifier>': <why>`. `path` is repo-relative with `/`. */
export function checkSource(path: string, text: string, ws: Workspace): string[] {
  const owner = packageOf(path);
  const rule = owner === undefined ? undefined : ws.rules[owner];
  if (owner !== undefined && !rule) return [`${path}: package '${owner}' has no entry in the rule table (test/architecture/rules.ts)`];
  const problems: string[] = [];
  for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
    const spec = ref.fileName;
    const line = text.slice(0, ref.pos).split('\n').length;
    const why = judge(spec, path, owner, rule, ws);
    if (why) problems.push(`${path}:${line} imports '${spec}': ${why}`);
  }
  return problems;
}

function judge(spec: string, path: string, owner: string | undefined, rule: Rule | undefined, ws: Workspace): string | undefined {
  if (spec.startsWith('.')) {
    const target = posix.normalize(posix.join(posix.dirname(path), spec));
    if (owner !== undefined && !target.startsWith(`packages/${owner}/`)) {
      return `a relative import may not leave packages/${owner}; reach other packages by name (${SCOPE}<name>)`;
    }
    if (owner === undefined && (target.startsWith('packages/') || target.startsWith('..'))) {
      return `reach packages by name (${SCOPE}<name>), not by path`;
    }
    return undefined;
  }
  for (const prefix of rule?.never ?? []) {
    if (spec.startsWith(prefix)) return `${owner} may not import ${prefix}*`;
  }
  if (!spec.startsWith(SCOPE)) return undefined;
  const [target = '', ...rest] = spec.slice(SCOPE.length).split('/');
  const info = ws.packages.get(target);
  if (!info) return `there is no package packages/${target}`;
  if (owner !== undefined && target !== owner && rule && !allows(rule, target)) return describeRule(owner, rule);
  const subpath = rest.length ? `./${rest.join('/')}` : '.';
  if (!info.exports.includes(subpath)) {
    return `${SCOPE}${target} does not export '${subpath}' (its exports: ${info.exports.join(', ') || 'none'})`;
  }
  const declared = owner === undefined ? ws.rootDeclared : ws.packages.get(owner)?.declared;
  if (target !== owner && !declared?.has(`${SCOPE}${target}`)) {
    return `${owner === undefined ? '' : `packages/${owner}/`}package.json does not declare ${SCOPE}${target}`;
  }
  return undefined;
}

/** Problems in one package's package.json dependencies. */
export function checkManifest(folder: string, manifest: Manifest, rules: Readonly<Record<string, Rule>>): string[] {
  const path = `packages/${folder}/package.json`;
  const rule = rules[folder];
  if (!rule) return [`${path}: package '${folder}' has no entry in the rule table (test/architecture/rules.ts)`];
  const problems: string[] = [];
  if (manifest.name !== `${SCOPE}${folder}`) problems.push(`${path}: name must be '${SCOPE}${folder}'`);
  for (const field of DEPENDENCY_FIELDS) {
    for (const dep of Object.keys(manifest[field] ?? {})) {
      const never = rule.never?.find((prefix) => dep.startsWith(prefix));
      if (never) problems.push(`${path} ${field} has '${dep}': ${folder} may not import ${never}*`);
      if (!dep.startsWith(SCOPE)) continue;
      const target = dep.slice(SCOPE.length);
      if (target !== folder && !allows(rule, target)) problems.push(`${path} ${field} has '${dep}': ${describeRule(folder, rule)}`);
    }
  }
  return problems;
}

function readManifest(path: string): Manifest {
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

function declaredOf(manifest: Manifest): Set<string> {
  return new Set(DEPENDENCY_FIELDS.flatMap((field) => Object.keys(manifest[field] ?? {})));
}

function exportsOf(manifest: Manifest): string[] {
  if (manifest.exports === undefined) return [];
  if (typeof manifest.exports === 'string') return ['.'];
  return Object.keys(manifest.exports);
}

/** The folders under packages/ and what their package.json files declare. */
export function loadWorkspace(root: string, rules: Readonly<Record<string, Rule>> = RULES): Workspace {
  const packages = new Map<string, PackageInfo>();
  for (const folder of packageFolders(root)) {
    const manifest = readManifest(join(root, 'packages', folder, 'package.json'));
    packages.set(folder, { exports: exportsOf(manifest), declared: declaredOf(manifest) });
  }
  return { packages, rootDeclared: declaredOf(readManifest(join(root, 'package.json'))), rules };
}

export function packageFolders(root: string): string[] {
  return readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, 'packages', entry.name, 'package.json')))
    .map((entry) => entry.name)
    .sort();
}

/** Every source file the rules cover, repo-relative: packages/*\/{src,test} and the root consumer folders. */
export function sourceFiles(root: string): string[] {
  const folders = [...packageFolders(root).flatMap((p) => [`packages/${p}/src`, `packages/${p}/test`]), ...ROOT_CONSUMERS];
  return folders.flatMap((folder) => walk(root, folder)).sort();
}

function walk(root: string, folder: string): string[] {
  if (!existsSync(join(root, folder))) return [];
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(root, path);
    return SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every problem in the tree at `root`. */
export function checkTree(root: string, rules: Readonly<Record<string, Rule>> = RULES): string[] {
  const ws = loadWorkspace(root, rules);
  return [
    ...packageFolders(root).flatMap((folder) => checkManifest(folder, readManifest(join(root, 'packages', folder, 'package.json')), rules)),
    ...sourceFiles(root).flatMap((path) => checkSource(path, readFileSync(join(root, path), 'utf8'), ws)),
  ];
}
