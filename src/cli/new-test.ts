/**
 * Test scaffolding: `ruleproof new-test --rule R --dataset D` replays one rule on one dataset and
 * writes a test case from the outcome (fire with the exact count and a distinguishing `match`, or
 * quiet); `ruleproof test --update` rewrites the counts of fire tests whose alert count changed. Both
 * edit the YAML text in place (only the lines they add or change), keeping comments, layout and line
 * endings, and print what they changed, so the edit is one command and a review.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChalkInstance } from 'chalk';
import { isMap, isScalar, isSeq, parseDocument, stringify, type Node, type YAMLMap } from 'yaml';
import { countSatisfied } from '../replay/assertions.js';
import { replayTests } from '../replay/runner.js';
import type { TestReport, TestResult } from '../replay/types.js';
import { loadRules } from '../rules/index.js';
import type { Rule, TestCase } from '../rules/model.js';
import { fileStem } from '../rules/common.js';
import { toPosixRelative } from '../util/paths.js';
import type { RuleproofConfig } from './config.js';
import type { CliIO } from './main.js';

/** Fields a `match` is drawn from, most telling first. */
const MATCH_FIELDS = ['process.name', 'process.parent.name', 'file.path', 'registry.path', 'dns.question.name', 'destination.port', 'user.name', 'event.code'];

interface TextEdit {
  file: string;
  text: string;
  /** Lines for the console: `+ …` / `- …` with their line numbers. */
  diff: string[];
}

function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Where the `tests:` sequence of a rule's tests file is, as the yaml library parses it. */
function testsSeq(text: string): { doc: ReturnType<typeof parseDocument>; seq?: Node; key?: Node } {
  const doc = parseDocument(text, { keepSourceTokens: true });
  const root = doc.contents;
  if (!isMap(root)) return { doc };
  const pair = (root as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === 'tests');
  return { doc, ...(pair?.value ? { seq: pair.value as Node } : {}), ...(pair?.key ? { key: pair.key as Node } : {}) };
}

/** The file a rule's tests are written in (inline for native rules, else the sidecar beside the rule). */
export function testsFileFor(rule: Rule, root: string): { file: string; inline: boolean } {
  if (rule.source.testsFile) return { file: rule.source.testsFile, inline: false };
  if (rule.format === 'native') return { file: rule.source.file, inline: true };
  const abs = path.join(path.dirname(rule.source.absPath), `${fileStem(rule.source.absPath)}.tests.yml`);
  return { file: toPosixRelative(root, abs), inline: false };
}

/** Render one test case as a block sequence item indented by `indent` spaces. */
function renderItem(test: Record<string, unknown>, indent: number, nl: string): string {
  const body = stringify([test], { lineWidth: 0 }).trimEnd().split('\n');
  return body.map((l) => ' '.repeat(indent) + l).join(nl) + nl;
}

/** Append a test case to the tests file's `tests:` sequence (creating the key or the sidecar). */
export function appendTest(root: string, rule: Rule, test: Record<string, unknown>): TextEdit {
  const { file } = testsFileFor(rule, root);
  const abs = path.resolve(root, file);
  if (!existsSync(abs)) {
    const text = `rule: ${rule.id}\ntests:\n${renderItem(test, 2, '\n')}`;
    return { file, text, diff: text.split('\n').filter(Boolean).map((l, i) => `+${i + 1}: ${l}`) };
  }
  const original = readFileSync(abs, 'utf8');
  const nl = eol(original);
  const { seq, key } = testsSeq(original);
  let text: string;
  let at: number;
  let added: string;
  if (seq && isSeq(seq) && seq.items.length && !seq.flow) {
    const first = seq.items[0] as Node;
    const itemStart = (first.range?.[0] ?? 0) - 2; // the "- " before the first item's content
    const indent = itemStart - lineStart(original, itemStart);
    const end = seq.range?.[2] ?? original.length;
    at = end >= original.length || original[end - 1] === '\n' ? end : original.indexOf('\n', end) + 1 || original.length;
    added = renderItem(test, Math.max(0, indent), nl);
    const before = original.slice(0, at);
    text = before + (before.endsWith('\n') || before === '' ? '' : nl) + added + original.slice(at);
  } else if (seq && key) {
    // `tests: []` or an empty value: replace it with a block sequence.
    const start = seq.range?.[0] ?? (key.range?.[2] as number);
    const end = seq.range?.[1] ?? start;
    added = nl + renderItem(test, 2, nl).replace(new RegExp(`${nl}$`), '');
    at = start;
    text = original.slice(0, lineStart(original, key.range?.[0] ?? 0)) + `tests:${added}` + original.slice(end);
  } else {
    at = original.length;
    added = (original.endsWith('\n') ? '' : nl) + `tests:${nl}` + renderItem(test, 2, nl);
    text = original + added;
  }
  const first = lineOf(text, at);
  const diff = added
    .split(/\r?\n/)
    .filter((l) => l !== '')
    .map((l, i) => `+${first + i}: ${l}`);
  return { file, text, diff };
}

/** Replace (or add) the `count` of the test at `index` in the tests file. */
export function rewriteCount(original: string, index: number, count: number): { text: string; diff: string[] } | undefined {
  const { seq } = testsSeq(original);
  if (!seq || !isSeq(seq)) return undefined;
  const item = seq.items[index];
  if (!isMap(item)) return undefined;
  const nl = eol(original);
  const pair = item.items.find((p) => isScalar(p.key) && p.key.value === 'count');
  if (pair && pair.value) {
    const value = pair.value as Node;
    const start = lineStart(original, (pair.key as Node).range?.[0] ?? 0);
    const endOffset = value.range?.[1] ?? 0;
    const endLine = original.indexOf('\n', endOffset - 1);
    const stop = endLine < 0 ? original.length : endLine + 1;
    const indent = ((pair.key as Node).range?.[0] ?? 0) - start;
    const oldLines = original.slice(start, stop).replace(/\r?\n$/, '').split(/\r?\n/);
    const newLine = `${' '.repeat(indent)}count: ${count}`;
    const line = lineOf(original, start);
    return {
      text: original.slice(0, start) + newLine + nl + original.slice(stop),
      diff: [...oldLines.map((l, i) => `-${line + i}: ${l}`), `+${line}: ${newLine}`],
    };
  }
  // No count yet: add one after `expect:` at the same indentation.
  const expect = item.items.find((p) => isScalar(p.key) && p.key.value === 'expect');
  const anchor = (expect?.value as Node | undefined)?.range?.[1] ?? (item.range?.[1] as number);
  const keyStart = ((expect?.key ?? item.items[0]?.key) as Node).range?.[0] ?? 0;
  const indent = keyStart - lineStart(original, keyStart);
  const lineEnd = original.indexOf('\n', anchor - 1);
  const at = lineEnd < 0 ? original.length : lineEnd + 1;
  const newLine = `${' '.repeat(indent)}count: ${count}`;
  return { text: original.slice(0, at) + newLine + nl + original.slice(at), diff: [`+${lineOf(original, at)}: ${newLine}`] };
}

function pickMatch(result: TestResult): Record<string, unknown> | undefined {
  const events = result.alerts.map((a) => a.events[a.events.length - 1]).filter((e) => !!e);
  const first = events[0];
  if (!first) return undefined;
  const out: Record<string, unknown> = {};
  for (const f of MATCH_FIELDS) {
    const v = first.fields[f];
    if (v === undefined || v === null || typeof v === 'object') continue;
    out[f] = v;
    if (Object.keys(out).length === 2) break;
  }
  return Object.keys(out).length ? out : undefined;
}

function findRule(rules: Rule[], wanted: string): Rule[] {
  const w = wanted.toLowerCase();
  const exact = rules.filter((r) => r.id.toLowerCase() === w || r.name.toLowerCase() === w || r.source.file.toLowerCase() === w.replace(/\\/g, '/'));
  if (exact.length) return exact;
  return rules.filter((r) => (w.length >= 8 && r.id.toLowerCase().startsWith(w)) || r.name.toLowerCase().includes(w) || r.source.file.toLowerCase().includes(w));
}

export interface NewTestOptions {
  rule: string;
  dataset: string;
  name?: string;
  reason?: string;
  dryRun?: boolean;
}

export async function newTestCommand(io: CliIO, config: RuleproofConfig, opts: NewTestOptions, color: ChalkInstance): Promise<number> {
  const loaded = await loadRules(config.rules, { root: config.root });
  const current = loaded.rules.filter((r) => !r.historical);
  let matches = findRule(current, opts.rule);
  if (!matches.length) matches = findRule(loaded.rules, opts.rule);
  if (matches.length !== 1) {
    io.stderr(
      matches.length
        ? `ruleproof: --rule ${opts.rule} matches ${matches.length} rules: ${matches.map((r) => `${r.name} v${r.version ?? '-'} (${r.source.file})`).join('; ')}; give the id or the file\n`
        : `ruleproof: no rule matches --rule ${opts.rule}\n`,
    );
    return 2;
  }
  const rule = matches[0] as Rule;
  if (rule.format === 'splunk-escu') {
    io.stderr(`ruleproof: ${rule.name} is a Splunk ESCU analytic; its tests are its own tests[].attack_data entries — add the dataset there\n`);
    return 2;
  }
  const dataset = toPosixRelative(config.root, path.resolve(io.cwd, opts.dataset));
  if (!existsSync(path.resolve(config.root, dataset))) {
    io.stderr(`ruleproof: dataset ${dataset} does not exist\n`);
    return 2;
  }
  const name = opts.name ?? `${path.basename(dataset)}`;
  if (rule.tests.some((t) => t.name === name)) {
    io.stderr(`ruleproof: ${rule.name} already has a test named "${name}"; pass --name\n`);
    return 2;
  }
  const probe: TestCase = { name, dataset, expect: 'fire', location: { file: rule.source.file, line: 1, column: 1 } };
  const outcome = await replayTests([{ ...rule, tests: [probe] }], { root: config.root });
  const result = outcome.rules[0]?.tests[0];
  if (!result || result.status === 'error' || result.status === 'unsupported') {
    io.stderr(`ruleproof: cannot replay ${rule.name} on ${dataset}: ${result?.message ?? outcome.rules[0]?.problem?.message ?? 'unknown error'}\n`);
    return 2;
  }
  const test: Record<string, unknown> = { name, dataset };
  if (result.alertCount > 0) {
    test.expect = 'fire';
    test.count = result.alertCount;
    const match = pickMatch(result);
    if (match) test.match = match;
  } else {
    test.expect = 'quiet';
    test.reason = opts.reason ?? 'recorded by ruleproof new-test: no alert on this dataset (say why it must stay quiet)';
  }
  if (opts.reason && test.expect === 'fire') test.reason = opts.reason;
  const edit = appendTest(config.root, rule, test);
  io.stdout(`${color.bold(edit.file)} (${rule.name} v${rule.version ?? '-'}): ${result.alertCount} alert(s) on ${dataset}\n`);
  for (const l of edit.diff) io.stdout(color.green(l) + '\n');
  if (!opts.dryRun) writeFileSync(path.resolve(config.root, edit.file), edit.text);
  else io.stdout(color.dim('(dry run: nothing written)') + '\n');
  return 0;
}

/**
 * `test --update`: rewrite the count of every fire test that failed only on its count. Returns the
 * console text and how many failing tests remain unresolved (so the command can exit 0 when the update
 * resolved every failure).
 */
export function updateCounts(root: string, rules: readonly Rule[], report: TestReport, color: ChalkInstance): { text: string; unresolved: number } {
  const lines: string[] = [];
  let unresolved = 0;
  const edits = new Map<string, string>();
  for (const result of report.rules) {
    const rule = rules.find((r) => r.id === result.id && r.version === result.version && r.source.file === result.file);
    if (result.status === 'error' || result.status === 'unsupported') unresolved++;
    for (const [i, t] of result.tests.entries()) {
      if (t.status === 'pass') continue;
      const countOnly = t.status === 'fail' && t.expect === 'fire' && t.alertCount > 0 && !!t.count && !countSatisfied(t.count, t.alertCount) && /^expected .* alert\(s\), got \d+$/.test(t.message);
      const testCase = rule?.tests[i];
      if (!countOnly || !rule || !testCase || rule.format === 'splunk-escu') {
        unresolved++;
        continue;
      }
      const file = testCase.location.file;
      const abs = path.resolve(root, file);
      const before = edits.get(file) ?? readFileSync(abs, 'utf8');
      const index = rule.tests.filter((x) => x.location.file === file).indexOf(testCase);
      const changed = rewriteCount(before, index, t.alertCount);
      if (!changed) {
        unresolved++;
        continue;
      }
      edits.set(file, changed.text);
      lines.push(`${color.bold(file)}: ${rule.name} — "${t.name}": ${t.message}`);
      for (const d of changed.diff) lines.push(d.startsWith('-') ? color.red(d) : color.green(d));
    }
  }
  for (const [file, text] of edits) writeFileSync(path.resolve(root, file), text);
  if (!lines.length) return { text: '\n' + color.dim('--update: no count to rewrite'), unresolved };
  return { text: '\n\n' + color.bold('Updated counts') + '\n' + lines.join('\n'), unresolved };
}
