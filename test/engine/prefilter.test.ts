/**
 * Literal prefiltering: the required literals a query yields, the multi-pattern scan, and the
 * guarantee that matters — a line the scan rejects holds no event the query matches, so results
 * with the prefilter are identical to results without it (random documents and queries, and whole
 * datasets read both ways).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { rng } from '../fuzz/fuzz-lib.js';
import { compileQuery } from '../../src/engine/index.js';
import { bestSegment, LiteralScanner, prefilterFor } from '../../src/engine/prefilter.js';
import type { Alert, CompiledQuery } from '../../src/engine/types.js';
import { openDataset } from '../../src/events/dataset.js';
import type { ReplayEvent } from '../../src/events/types.js';

function compile(text: string, fieldView: 'ecs' | 'endgame' = 'ecs'): CompiledQuery {
  const r = compileQuery(text, { language: 'eql', fieldView, ...(fieldView === 'endgame' ? { dialect: 'endgame' } : {}) });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.query;
}


t.test('required literals of queries', async (t) => {
  t.same(compile('process where process.name == "cmd.exe"').literals, ['cmd.exe']);
  t.same(compile('process where process.name : ("cmd.exe", "PowerShell.EXE")').literals, ['cmd.exe', 'powershell.exe'], 'lower-cased alternatives');
  t.same(compile('process where process.executable : "?:\\\\Windows\\\\System32\\\\wsmprovhost.exe"').literals, ['wsmprovhost.exe'], 'the longest run without \\ or wildcards');
  t.same(compile('process where host.os.type == "windows" and process.parent.name : "wsmprovhost.exe"').literals, ['wsmprovhost.exe'], 'and: the most selective conjunct');
  t.same(compile('any where process.name == "a.exe" or file.name == "secret.txt"').literals, ['a.exe', 'secret.txt'], 'or: the union');
  t.same(compile('process where startsWith(process.name, "powershell")').literals, ['powershell']);
  t.same(
    compile('network where host.os.type == "windows" and network.direction == "incoming" and process.name == "svc.exe"').literals,
    ['svc.exe'],
    'values of low-cardinality fields (host.os.type, network.direction) are the last choice',
  );
  t.same(compile('network where host.os.type == "windows" and network.direction : ("incoming", "ingress")').literals, ['windows']);
  t.same(compile('process where true').literals, ['process'], 'the category is a literal of ECS documents');
  t.same(compile('sequence by host.id [network where destination.port == 5985] [process where process.parent.name == "wsmprovhost.exe"]').literals, ['network', 'wsmprovhost.exe'], 'a sequence needs one of its stages');
  t.same(
    compile('sequence by host.id [process where process.name == "a.exe"] [process where process.name == "b.exe"] until [process where process.name == "stop.exe"]').literals,
    ['a.exe', 'b.exe', 'stop.exe'],
    'until stages count',
  );
  t.equal(compile('any where not process.name == "cmd.exe"').literals, undefined, 'not: no requirement');
  t.equal(compile('any where process.name == "cmd.exe" or process.pid > 4').literals, undefined, 'an or branch without literals');
  t.equal(compile('any where process.pid == 4').literals, undefined, 'numbers are not literals');
  t.equal(compile('any where event.code == "4688"').literals, undefined, 'digits could be a JSON number spelled otherwise');
  t.equal(compile('any where process.name regex "cmd.*"').literals, undefined, 'regexes are not scanned');
  t.equal(compile('any where source.ip == "10.0.0.1"').literals, undefined, 'IP fields compare addresses, not text');
  t.equal(compile('any where process.name == "ab"').literals, undefined, 'too short to be worth scanning');
  t.equal(compile('sequence [any where process.name == "a.exe"] [any where true]').literals, undefined, 'a stage that matches anything');
  t.same(
    compile('process where subtype.create and process_name == "wsmprovhost.exe" and parent_process_name == "svchost.exe"', 'endgame').literals,
    ['wsmprovhost.exe'],
    'field views bind names to stored fields; computed ones (subtype.create) give no literal',
  );
  t.same(compile('process where subtype.create', 'endgame').literals, ['process'], 'only the category is left');
});

t.test('best segments', async (t) => {
  t.equal(bestSegment('C:\\Windows\\System32\\cmd.exe'), 'system32');
  t.equal(bestSegment('*\\AppData\\Local\\Temp\\*.ps1', '*?'), 'appdata');
  t.equal(bestSegment('12345'), undefined);
  t.equal(bestSegment('1.5e+10'), undefined);
  t.equal(bestSegment('TRUE'), undefined);
  t.equal(bestSegment('infinity'), undefined);
  t.equal(bestSegment('naïve-name'), 've-name');
  t.equal(bestSegment('a"quoted"word'), 'quoted');
});

t.test('the scan', async (t) => {
  const s = new LiteralScanner(['wsmprovhost.exe', 'cmd.exe']);
  t.ok(s.testString('{"process":{"name":"wsmprovhost.exe"}}'));
  t.ok(s.testString('{"process":{"name":"WSMPROVHOST.EXE"}}'), 'ASCII case-insensitive');
  t.ok(s.testString('{"a":"xxcmd.exeyy"}'), 'anywhere in the line');
  t.notOk(s.testString('{"process":{"name":"chrome.exe"}}'));
  t.notOk(s.testString('{"a":"cmd\\".exe"}'), 'an escape interrupts a literal');
  t.ok(s.testString('{"a":"c\\u006dd.exe"}'), 'a \\u escape keeps the line');
  t.notOk(s.testString('{"a":"C:\\\\users\\\\x"}'), 'an escaped backslash before u is not a \\u escape');
  t.ok(s.testString('{"a":"C:\\\\\\u0041"}'), 'but an odd run of backslashes is');
  t.ok(s.testString('{"a":"straße"}'), 'non-ASCII text may fold onto the letters of a case-insensitive literal');
  const digits = new LiteralScanner(['--10-']);
  t.notOk(digits.testString('{"a":"straße"}'), 'literals without letters ignore non-ASCII text');
  t.notOk(new LiteralScanner([]).testString('{"a":"x"}'), 'no literal: nothing passes');
  t.throws(() => new LiteralScanner(['a/b']), /cannot see/);
});

t.test('the scan agrees with a naive search on escape-free ASCII lines (3,000 random cases)', async (t) => {
  const r = rng(11);
  const alphabet = 'abAB.';
  const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
  let disagreements = 0;
  let positives = 0;
  for (let i = 0; i < 3000; i++) {
    const literals = Array.from({ length: 1 + Math.floor(r() * 5) }, () => word(3 + Math.floor(r() * 3)).toLowerCase());
    const scanner = new LiteralScanner(literals);
    const line = `{"v":"${word(Math.floor(r() * 60))}"}`;
    const naive = literals.some((l) => line.toLowerCase().includes(l));
    if (naive) positives++;
    if (scanner.testString(line) !== naive) disagreements++;
  }
  t.equal(disagreements, 0);
  t.ok(positives > 300, `enough lines contain a literal (${positives})`);
});

// --- soundness: a matching event's line always passes --------------------------------------------

const VALUES = [
  'cmd.exe', 'CMD.EXE', 'Cmd.Exe', 'powershell.exe', 'C:\\Windows\\System32\\cmd.exe', 'a "quoted" cmd.exe', 'ſcript.exe', 'script.exe',
  'KERNEL.dll', 'kernel.dll', 'straße.exe', 'x/y/cmd.exe', 'wsmprovhost.exe', 'tab\tcmd.exe', 'naïve.exe', '',
];
const NUMBERS = [4688, 1e21, 0.5, -1];
const QUERIES = [
  'any where process.name == "cmd.exe"',
  'any where process.name : "cmd.exe"',
  'any where process.name : "*cmd.exe"',
  'any where process.name like~ "c?d.exe"',
  'any where process.name in~ ("cmd.exe", "powershell.exe")',
  'any where process.name : ("*\\\\cmd.exe", "*/cmd.exe")',
  'any where process.executable : "?:\\\\windows\\\\system32\\\\cmd.exe"',
  'any where stringContains~(process.command_line, "cmd.exe")',
  'any where endsWith(process.command_line, "quoted\\" cmd.exe")',
  'any where process.name : "script.exe"',
  'any where process.name : "kernel.dll" and not process.name == "x"',
  'any where process.name == "straße.exe"',
  'any where custom.field == "cmd.exe"',
  'any where custom.field : "4688*"',
  'any where process.name : "*.exe" and process.parent.name : "wsmprovhost.exe"',
  'process where process.name : "naïve.exe"',
];

const NOISE = ['chrome.exe', 'svchost.exe', 'explorer.exe', 'notes.txt', 'C:\\Program Files\\App\\app.exe', 'Teams.exe'];

function randomDoc(r: () => number, relevance = 0.5): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
  const one = () => (r() < relevance ? pick(VALUES) : pick(NOISE));
  const value = () => (r() < 0.15 ? pick(NUMBERS) : r() < 0.2 ? [one(), one()] : one());
  const doc: Record<string, unknown> = { '@timestamp': '2024-01-01T00:00:00Z', event: { category: [pick(['process', 'network', 'file'])] } };
  const process: Record<string, unknown> = {};
  for (const f of ['name', 'executable', 'command_line']) if (r() < 0.7) process[f] = value();
  if (r() < 0.5) process.parent = { name: value() };
  if (r() < 0.3) doc['process.name'] = value();
  doc.process = process;
  if (r() < 0.4) doc.custom = { field: value() };
  return doc;
}

/** How a writer might spell the JSON: plain, every non-ASCII character escaped, or `/` escaped. */
function spell(doc: Record<string, unknown>, r: () => number): string {
  const plain = JSON.stringify(doc);
  const k = r();
  if (k < 0.3) return plain.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  if (k < 0.5) return plain.replace(/\//g, '\\/');
  if (k < 0.6) return plain.replace(/[<>&]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  return plain;
}

t.test('a line the scan rejects never holds a matching event (4,000 random documents × 16 queries)', async (t) => {
  const r = rng(3);
  const compiled = QUERIES.map((q) => compile(q));
  const withLiterals = compiled.filter((q) => q.literals);
  t.ok(withLiterals.length >= 12, `most queries yield literals (${withLiterals.length})`);
  let violations = 0;
  let matches = 0;
  let rejected = 0;
  for (let i = 0; i < 4000; i++) {
    const doc = randomDoc(r);
    const line = spell(doc, r);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    for (const q of withLiterals) {
      const alerts: Alert[] = [];
      const det = q.newDetector((a) => alerts.push(a));
      det.push({ doc: parsed, timestamp: 0, key: 'line:1', dataset: 'x', ordinal: 0 });
      det.finish();
      const scanner = new LiteralScanner(q.literals as string[]);
      const passes = scanner.testString(line);
      // The chunk-wide form, with the line in the middle of a chunk: every line the automaton
      // keeps holds a keep position (positions may keep more lines, never fewer).
      const bytes = Buffer.from(`{"before":1}\n${line}\n{"after":2}`, 'utf8');
      const from = 13;
      const to = from + Buffer.byteLength(line);
      const keep = scanner.keepPositions(bytes, 0, bytes.length);
      if (keep && passes && !keep.some((p) => p >= from && p < to)) {
        violations++;
        if (violations < 5) t.fail(`keepPositions missed a line the scan keeps: ${line}`);
      }
      if (alerts.length) matches++;
      if (!passes) rejected++;
      if (alerts.length && !passes) {
        violations++;
        if (violations < 5) t.fail(`rejected a matching line: ${line} for ${QUERIES[compiled.indexOf(q)]}`);
      }
    }
  }
  t.equal(violations, 0);
  t.ok(matches > 1000, `many matches checked (${matches})`);
  t.ok(rejected > 10000, `and the scan rejects many lines (${rejected})`);
});

// --- whole datasets, filtered and not ------------------------------------------------------------

t.test('replaying a dataset with the prefilter gives the same alerts and counts every line', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ruleproof-prefilter-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = rng(5);
  const lines: string[] = [];
  let ts = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 3000; i++) {
    ts += Math.floor(r() * 1000);
    const doc = randomDoc(r, 0.03);
    doc['@timestamp'] = new Date(ts).toISOString();
    (doc as { host?: unknown }).host = { id: `h${Math.floor(r() * 5)}` };
    lines.push(spell(doc, r));
    if (r() < 0.01) lines.push('');
    if (r() < 0.005) lines.push('{"broken": ');
  }
  const file = path.join(dir, 'data.ndjson');
  // CRLF, a BOM and a final line without a line break: the line numbers must still agree
  writeFileSync(file, '\ufeff' + lines.join('\r\n'));
  const queries = [
    ...QUERIES,
    'sequence by host.id with maxspan=5s [any where process.name : "cmd.exe"] [any where process.parent.name : "wsmprovhost.exe"]',
    'sequence by host.id [any where process.name == "powershell.exe"] ![any where process.name : "kernel.dll"] [any where process.name : "script.exe"]',
  ].map((q) => compile(q));

  const run = async (filtered: boolean) => {
    const alerts = queries.map(() => [] as Alert[]);
    const detectors = queries.map((q, i) => q.newDetector((a) => alerts[i]!.push(a)));
    let events = 0;
    let skipped = 0;
    const warnings: string[] = [];
    const scanner = filtered ? prefilterFor(queries.filter((q) => q.literals)) : undefined;
    const onSkip = () => {
      skipped++;
    };
    for await (const e of openDataset(file, {
      root: dir,
      onDiagnostic: (d) => warnings.push(`${d.line}:${d.code}`),
      ...(scanner ? { lineFilter: { test: (b: Uint8Array, s: number, x: number) => scanner.test(b, s, x), onSkip } } : {}),
    })) {
      events++;
      const withLiterals = queries.map((q) => q.literals !== undefined);
      detectors.forEach((d, i) => (withLiterals[i] || !filtered ? d.push(e as ReplayEvent) : undefined));
    }
    detectors.forEach((d) => d.finish());
    return { alerts: alerts.map((list) => list.map((a) => a.events.map((e) => e.key).join('+'))), events, skipped, warnings };
  };
  const plain = await run(false);
  const fast = await run(true);
  const withLiterals = queries.map((q) => q.literals !== undefined);
  t.ok(fast.skipped > 500, `most lines skipped (${fast.skipped})`);
  t.equal(fast.events + fast.skipped + fast.warnings.filter((w) => w.endsWith('malformed-line')).length, plain.events + plain.warnings.filter((w) => w.endsWith('malformed-line')).length, 'every line is accounted for');
  let compared = 0;
  withLiterals.forEach((has, i) => {
    if (!has) return;
    compared++;
    t.same(fast.alerts[i], plain.alerts[i], `same alerts for query ${i}`);
  });
  t.ok(compared >= 12);
  t.ok(plain.alerts.some((a) => a.length > 0), 'some queries fire');
});
