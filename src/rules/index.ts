/**
 * Rule loading: find rule files under the given paths, load each into the one `Rule` model with the
 * position of every field, attach sidecar tests, and turn every problem into a located diagnostic.
 * A file that cannot be loaded is reported and skipped; the other files still load.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { compareDiagnostics, type Diagnostic } from '../util/diagnostics.js';
import { limit } from '../util/limits.js';
import { toPosixRelative } from '../util/paths.js';
import { errorAt, fileStem, type FileContext, type FileLoad } from './common.js';
import { loadElasticToml } from './elastic-toml.js';
import { VersionLocks } from './lock.js';
import type { LoadResult, Rule } from './model.js';
import { loadNative } from './native.js';
import { toTestCases } from './tests.js';
import { validateAgainst } from './validate.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';
import { YAML_RULE_FORMATS, type YamlRuleFormat } from './formats.js';
import { loadSigmaText } from './sigma.js';
import { attachSigmaRegressionTests } from './sigma-regression.js';

export interface LoadOptions {
  /** Repository root: rule paths are reported relative to it, dataset paths resolve against it. */
  root: string;
}

export const RULE_EXTENSIONS = ['toml', 'yml', 'yaml'] as const;
const SIDECAR_SUFFIXES = ['.tests.yml', '.tests.yaml'];
/** Files that live beside rules but are not rules. */
const NOT_RULES = [
  '**/*.tests.yml',
  '**/*.tests.yaml',
  '**/*.meta.yml',
  '**/*.meta.yaml',
  '**/dataset.yml',
  '**/dataset.yaml',
  '**/ruleproof.config.yml',
  '**/*.lock.yml',
  '**/*.lock.yaml',
  '**/node_modules/**',
  // SigmaHQ's regression-test descriptions; read as tests by sigma-regression.ts.
  '**/regression_data/**/info.{yml,yaml}',
];

export async function loadRules(paths: string[], options: LoadOptions): Promise<LoadResult> {
  const root = path.resolve(options.root);
  const discovered = await discoverRuleFiles(paths, root);
  const locks = new VersionLocks(root);
  const rules: Rule[] = [];
  const diagnostics: Diagnostic[] = [...discovered.diagnostics];
  const failed = new Set<string>();

  // Files the walk found exist: they need no existsSync (the walk leaves out no sidecar it can see).
  const walked = new Set([...discovered.files, ...discovered.sidecars]);
  const exists = (p: string) => walked.has(p) || existsSync(p);
  // Read once per run: thousands of sidecars would each read the environment again.
  const maxYamlDepth = limit('maxYamlDepth');
  for (const absPath of discovered.files) {
    const file = toPosixRelative(root, absPath);
    const ctx: FileContext = { root, file, absPath, locks };
    const loaded = await loadRuleFile(ctx);
    diagnostics.push(...loaded.diagnostics);
    if (loaded.failed) failed.add(file);
    for (const rule of loaded.rules) {
      const sidecar = await attachSidecar(rule, ctx, exists, maxYamlDepth);
      diagnostics.push(...sidecar.diagnostics);
      if (sidecar.failedFile) failed.add(sidecar.failedFile);
      rules.push(rule);
    }
  }
  // SigmaHQ's regression_data/**/info.yml cases, attached to the Sigma rules they name.
  const regression = await attachSigmaRegressionTests(rules, root);
  diagnostics.push(...regression.diagnostics);
  for (const file of regression.failedFiles) failed.add(file);
  for (const orphan of discovered.sidecars) {
    const stem = orphan.slice(0, orphan.length - (orphan.endsWith('.yaml') ? '.tests.yaml' : '.tests.yml').length);
    if (RULE_EXTENSIONS.some((ext) => exists(`${stem}.${ext}`))) continue;
    diagnostics.push({
      ...errorAt(toPosixRelative(root, orphan), { line: 1, column: 1 }, 'load/orphan-tests', 'tests file without a rule file beside it; its tests never run'),
      severity: 'warning',
      hint: `Name it after its rule file (<rule-file-stem>.tests.yml), e.g. ${path.basename(stem)}.toml → ${path.basename(stem)}.tests.yml.`,
    });
  }
  diagnostics.push(...locks.diagnostics);
  for (const d of locks.diagnostics) failed.add(d.file);
  return { rules, diagnostics: diagnostics.sort(compareDiagnostics), failedFiles: [...failed].sort() };
}

interface Discovery {
  /** Absolute paths, sorted by their repository-relative form. */
  files: string[];
  /** Sidecar test files seen while walking directories, to report those without a rule. */
  sidecars: string[];
  diagnostics: Diagnostic[];
}

/** Directories are walked, files taken as given, anything else treated as a glob from the root. */
export async function discoverRuleFiles(paths: string[], root: string): Promise<Discovery> {
  const files = new Set<string>();
  const sidecars = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const glob = (pattern: string, cwd: string, ignore: string[]) =>
    fg(pattern, { cwd, absolute: true, onlyFiles: true, ignore, followSymbolicLinks: false, suppressErrors: true });
  for (const given of paths) {
    // `/` works as a separator on every platform; a Windows user's `\` must work everywhere too.
    const written = given.replace(/\\/g, '/');
    const abs = path.resolve(root, written);
    const stat = statIfExists(abs);
    if (stat?.isDirectory()) {
      for (const f of await glob(`**/*.{${RULE_EXTENSIONS.join(',')}}`, abs, NOT_RULES)) files.add(path.resolve(f));
      for (const f of await glob('**/*.tests.{yml,yaml}', abs, ['**/node_modules/**'])) sidecars.add(path.resolve(f));
    } else if (stat?.isFile()) {
      files.add(explicitFile(abs));
    } else if (fg.isDynamicPattern(written)) {
      const pattern = path.isAbsolute(written) ? fg.convertPathToPattern(abs) : written;
      const found = await glob(pattern, root, NOT_RULES);
      for (const f of found) files.add(path.resolve(f));
      if (!found.length) diagnostics.push(notFound(given, `no rule files match the pattern "${given}"`));
    } else {
      diagnostics.push(notFound(given, `rule path "${given}" does not exist`));
    }
  }
  // Each path made relative once, not once per comparison.
  const byRelative = (list: Set<string>) =>
    [...list]
      .map((abs) => [toPosixRelative(root, abs), abs] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, abs]) => abs);
  return { files: byRelative(files), sidecars: byRelative(sidecars), diagnostics };
}

function notFound(given: string, message: string): Diagnostic {
  return {
    file: given.replace(/\\/g, '/'),
    line: 0,
    column: 0,
    severity: 'error',
    code: 'load/not-found',
    message,
    hint: 'Give a rule file, a directory of rules or a glob, relative to the repository root (or set "rules" in ruleproof.config.yml).',
  };
}

function statIfExists(abs: string) {
  try {
    return statSync(abs);
  } catch {
    return undefined;
  }
}

/** A sidecar named on the command line stands for its rule. */
function explicitFile(abs: string): string {
  const suffix = SIDECAR_SUFFIXES.find((s) => abs.endsWith(s));
  if (!suffix) return abs;
  const stem = abs.slice(0, abs.length - suffix.length);
  const rule = RULE_EXTENSIONS.map((ext) => `${stem}.${ext}`).find((candidate) => existsSync(candidate));
  return rule ?? abs;
}

/**
 * Files (absolute paths) whose text, when the loader last read it, held no waiver comment
 * (`ruleproof-disable-next-line`): lint need not read them again to look for waivers.
 */
const WITHOUT_WAIVERS = new Set<string>();

/** Whether the loader read this file and found no waiver comment in it (false when it did not read it). */
export function loadedWithoutWaivers(absPath: string): boolean {
  return WITHOUT_WAIVERS.has(absPath);
}

async function readText(ctx: FileContext): Promise<{ text: string } | { error: Diagnostic }> {
  try {
    // Rule files are small; a synchronous read per file is faster than thousands of awaited ones.
    const text = readFileSync(ctx.absPath, 'utf8');
    if (text.includes('ruleproof-disable-next-line')) WITHOUT_WAIVERS.delete(ctx.absPath);
    else WITHOUT_WAIVERS.add(ctx.absPath);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch (e) {
    return {
      error: errorAt(ctx.file, undefined, 'load/read-error', `cannot read the rule file: ${(e as Error).message}`, 'Check that the file exists and is readable.'),
    };
  }
}

export async function loadRuleFile(ctx: FileContext): Promise<FileLoad> {
  const read = await readText(ctx);
  if ('error' in read) return { rules: [], diagnostics: [read.error], failed: true };
  const ext = path.extname(ctx.absPath).toLowerCase();
  if (ext === '.toml') return loadElasticToml(read.text, ctx);
  if (ext === '.yml' || ext === '.yaml') {
    // Sigma is the one rule format whose files may hold several YAML documents (a rule collection, or a
    // correlation with the rules it references); the single-document parser below would reject them.
    if (isMultiDocumentSigma(read.text)) return loadSigmaText(read.text, ctx);
    const parsed = parseYamlSource(read.text, ctx.file);
    if (!parsed.ok) return { rules: [], diagnostics: parsed.diagnostics, failed: true };
    const other = foreignYamlFormat(parsed.source, ctx);
    if (other?.load) return other.load(parsed.source, ctx);
    if (other) {
      return {
        rules: [],
        failed: true,
        diagnostics: [errorAt(ctx.file, { line: 1, column: 1 }, 'load/unsupported-format', `this looks like a ${other.name} rule, which ruleproof cannot load yet`, 'Move it out of the rule paths, or convert it to the native format.')],
      };
    }
    return loadNative(parsed.source, ctx);
  }
  return {
    rules: [],
    failed: true,
    diagnostics: [errorAt(ctx.file, undefined, 'load/unsupported-format', `"${ext || path.basename(ctx.absPath)}" files are not rules ruleproof can load`, 'Rule files are Elastic TOML (.toml) or ruleproof YAML (.yml, .yaml).')],
  };
}

/** A `---` separator after content, in a file with Sigma's signature keys at the start of a line. */
function isMultiDocumentSigma(text: string): boolean {
  const separator = /^---[ \t]*(#.*)?$/m.exec(text);
  if (!separator || !/\S/.test(text.slice(0, separator.index).replace(/^(%.*|#.*)$/gm, ''))) return false;
  return /^(logsource|correlation|filter):/m.test(text);
}

/** YAML rule formats other than the native one, recognised by their signature keys. */
function foreignYamlFormat(source: YamlSource, ctx: FileContext): YamlRuleFormat | undefined {
  const data = source.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  return YAML_RULE_FORMATS.find((f) => f.detect(data as Record<string, unknown>, ctx));
}

/** Tests from `<rule-file-stem>.tests.yml` beside the rule, appended to the rule's own. */
async function attachSidecar(rule: Rule, ctx: FileContext, exists: (p: string) => boolean, maxYamlDepth: number): Promise<{ diagnostics: Diagnostic[]; failedFile?: string }> {
  const dir = path.dirname(ctx.absPath);
  const stem = fileStem(ctx.absPath);
  const absPath = SIDECAR_SUFFIXES.map((s) => path.join(dir, stem + s)).find(exists);
  if (!absPath) return { diagnostics: [] };
  const file = toPosixRelative(ctx.root, absPath);
  const read = await readText({ ...ctx, file, absPath });
  if ('error' in read) return { diagnostics: [read.error], failedFile: file };
  const parsed = parseYamlSource(read.text, file, maxYamlDepth);
  if (!parsed.ok) return { diagnostics: parsed.diagnostics, failedFile: file };
  const { data, positions } = parsed.source;
  if (data === null || data === undefined) {
    return { diagnostics: [errorAt(file, undefined, 'load/schema', 'the tests file is empty', `Write "rule: ${rule.id}" and a "tests:" list.`)], failedFile: file };
  }
  const problems = validateAgainst('sidecar-tests', data, file, positions);
  if (problems.length) return { diagnostics: problems, failedFile: file };
  const sidecar = data as { rule: string; tests: unknown[] };
  if (sidecar.rule !== rule.id) {
    return {
      diagnostics: [
        errorAt(file, positions.get('rule'), 'load/sidecar-mismatch', `tests file is for rule "${sidecar.rule}", but ${ctx.file} is rule "${rule.id}"`, `Set "rule: ${rule.id}", or move the tests beside their rule.`),
      ],
      failedFile: file,
    };
  }
  rule.tests.push(...toTestCases(sidecar.tests, file, positions));
  rule.source.testsFile = file;
  rule.source.testsPositions = positions;
  return { diagnostics: [] };
}
