/**
 * The fast YAML reader against `yaml`: for every YAML file of the repository and for thousands of
 * generated and mutated documents, it declines or reads the same data, node types, sources and
 * ranges (`checkFastYaml`). And the loader gives the same `YamlSource` either way.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import { checkFastYaml } from '../../src/rules/fast-yaml-check.js';
import { fastParseYaml, resolvePlain } from '../../src/rules/fast-yaml.js';
import { parseYamlSource, stringOrigin } from '../../src/rules/yaml-source.js';
import { mutate, rng } from '../fuzz/fuzz-lib.js';
import { toYamlDocument } from '../../src/rules/fast-yaml-nodes.js';
import { compileSigma } from '../../src/engine/sigma/index.js';
import { docKind } from '../../src/engine/sigma/document.js';
import { loadRules } from '../../src/rules/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const repoYaml = fg.sync(['detections/**/*.{yml,yaml}', 'datasets/**/*.{yml,yaml}', 'test/fixtures/**/*.{yml,yaml}'], { cwd: root, ignore: ['**/node_modules/**'] }).sort();

function readText(file: string): string {
  const text = readFileSync(path.join(root, file), 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

t.test('every YAML file of the repository: declined or read as yaml reads it', (t) => {
  t.ok(repoYaml.length > 50, `${repoYaml.length} files`);
  let same = 0;
  const problems: string[] = [];
  for (const file of repoYaml) {
    const r = checkFastYaml(readText(file));
    if (r.outcome === 'same') same++;
    else if (r.outcome !== 'declined') problems.push(`${file}: ${r.outcome} ${r.detail}`);
  }
  t.same(problems, []);
  // The bundled rules and their tests are what the reader is for: nearly all of them are read.
  t.ok(same / repoYaml.length > 0.7, `${same} of ${repoYaml.length} read`);
  t.end();
});

t.test('every bundled rule and tests sidecar is read by the fast reader', (t) => {
  const declined = repoYaml.filter((f) => f.startsWith('detections/') && !fastParseYaml(readText(f)));
  t.same(declined, []);
  t.end();
});

t.test('core schema resolution of plain scalars matches yaml', (t) => {
  const samples = ['~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'FALSE', '0', '-0', '+12', '012', '0o17', '0o8', '0x1F', '0X1F', '0xg', '1.5', '-.5', '+.5e3', '1e3', '1E-3', '1.', '.', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '-.nan', '1_000', '2024-01-01', '12:30', 'yes', 'no', 'on', 'off', '0b101', '1e', 'e1', '-', '--1', '9007199254740993', '1e400'];
  const problems = samples.map((s) => [s, checkFastYaml(`k: ${s}\n`)] as const).filter(([, r]) => r.outcome !== 'same' && r.outcome !== 'declined');
  t.same(problems, []);
  t.equal(resolvePlain('0x1F'), 31);
  t.equal(resolvePlain('True'), true);
  t.equal(resolvePlain('1_000'), '1_000');
  t.end();
});

/** Building blocks of generated documents: the constructs rule files use (and, rarer, the ones declined). */
const SCALARS = ['plain text', 'plain text', 'x', 'Some Title (bench 1)', "'quoted'", '"dq"', '0x3e7', '12', 'C:\\Windows\\System32\\cmd.exe', "'single ''quoted'''", '"double \\"quoted\\" \\t \\u00e9 \\x41 \\\\"', '42', '-1.5e3', '0x3e7', 'null', '~', 'true', 'False', '2024-05-01', '"a: b"', "'# not a comment'", 'a #comment', 'text # comment', 'value:with:colons', 'http://example.com/x?y=1#frag', "'multi\n  line single'", '"multi\n\n  line double"', 'plain\n  continued\n\n  again', '[a, b, "c"]', '[]', '[1, 2.5, null]', '&anchor x', '*alias', '!!str 1', '{a: 1}', '{id: T1021, name: Remote Services}', '{a: "q", b: \'s\', c: 1.5, d: null}', '{k:  v }', '{a: b, a: c}', '{a: {b: c}}', '{a: b,}', '{}', "{'q': 1}", '{a: b: c}', '{url: http://x}', '{a: [1]}', '{a b: c d}', '{a: b} # c', '{a: b}x', '{ a: b }', '|\n  literal\n    more\n', '>\n  folded\n  text\n\n  para\n', '|-\n  stripped\n\n', '|+\n  kept\n\n', '>-\n  a\n   b\n  c\n', '|2\n   indicator\n', '""', "''", '@reserved', '`tick', '%pct', '- dash', '? q', ': c', '-1', 'a\tb', '"\\N\\_\\L\\P\\e\\0"', '"\\ud800"', 'x: y'];
const RARE = new Set(['&anchor x', '*alias', '!!str 1', '{a: b, a: c}', '{a: {b: c}}', '{a: b,}', '{}', "{'q': 1}", '{a: b: c}', '{url: http://x}', '{a: [1]}', '{a: b}x', '|+\n  kept\n\n', '|2\n   indicator\n', '@reserved', '`tick', '%pct', '- dash', '? q', ': c', 'a\tb', '"\\ud800"', 'x: y', '<<', '__proto__', '? explicit']);
const KEYS = ['title', 'id', 'detection', 'selection', 'Image|endswith', 'CommandLine|contains|all', '"quoted key"', "'single key'", 'with space', 'a.b', '1', 'true', 'null', '<<', '__proto__', '? explicit', 'dup'];

function generate(r: () => number, depth: number, indent: number): string {
  const pick = (xs: readonly string[]): string => {
    for (;;) {
      const x = xs[Math.floor(r() * xs.length)] as string;
      if (!RARE.has(x) || r() < 0.05) return x;
    }
  };
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  const n = 1 + Math.floor(r() * 4);
  const seqStyle = r() < 0.3;
  for (let i = 0; i < n; i++) {
    const head = seqStyle ? `${pad}- ` : `${pad}${pick(KEYS)}:`;
    const roll = r();
    const step = 2 + Math.floor(r() * 3);
    if (depth > 0 && roll < 0.35) {
      if (seqStyle && r() < 0.5) {
        // a compact mapping in a sequence item
        const inner = generate(r, depth - 1, indent + 2).replace(/^ +/, '');
        lines.push(`${pad}- ${inner.replace(/^- /, 'k: v\n' + ' '.repeat(indent + 2) + 'x: ')}`);
      } else lines.push(`${seqStyle ? `${pad}-` : head}\n${generate(r, depth - 1, indent + (seqStyle || r() < 0.8 ? step : 0))}`);
    } else {
      const value = pick(SCALARS).replace(/\n/g, '\n' + ' '.repeat(indent + step));
      lines.push(`${head}${seqStyle ? '' : ' '}${value}${r() < 0.1 ? '   # trailing' : ''}`);
    }
    if (r() < 0.1) lines.push(`${' '.repeat(r() < 0.5 ? indent : Math.floor(r() * 6))}# a comment`);
    if (r() < 0.1) lines.push(r() < 0.5 ? '' : '   ');
  }
  return lines.join('\n');
}

t.test('generated documents: declined or read as yaml reads them', (t) => {
  const r = rng(20261123);
  const counts = { same: 0, declined: 0 };
  const problems: string[] = [];
  for (let i = 0; i < 4000; i++) {
    let text = generate(r, 3, 0) + (r() < 0.8 ? '\n' : '');
    if (r() < 0.1) text = `---\n${text}`;
    if (r() < 0.1) text = `# leading comment\n\n${text}`;
    if (r() < 0.1) text = text.replace(/\n/g, '\r\n');
    const res = checkFastYaml(text);
    if (res.outcome === 'same' || res.outcome === 'declined') counts[res.outcome]++;
    else if (problems.length < 10) problems.push(`${res.outcome} ${res.detail}\n${JSON.stringify(text)}`);
  }
  t.same(problems, []);
  t.ok(counts.same > 500, `${counts.same} read, ${counts.declined} declined`);
  t.end();
});

const YAML_TOKENS = [' ', '  ', '\n', '\r\n', '\t', ':', ': ', '- ', '#', ' #', "'", '"', '\\', '|', '>', '|-', '>+', '[', ']', '{', '}', ',', '&a ', '*a', '!', '---\n', '...\n', '%YAML 1.2\n', '? ', '~', 'null', '0x1F', '1e3', '.inf', '\u00e9', '\u0085', '\ufeff'];

t.test('mutated repository files: declined or read as yaml reads them', (t) => {
  const r = rng(5150);
  const sources = repoYaml.filter((f) => f.startsWith('detections/') || f.startsWith('test/fixtures/')).map(readText);
  const problems: string[] = [];
  let read = 0;
  for (let i = 0; i < 3000; i++) {
    const base = sources[i % sources.length] as string;
    const text = mutate(base, r, YAML_TOKENS);
    const res = checkFastYaml(text);
    if (res.outcome === 'same') read++;
    else if (res.outcome !== 'declined' && problems.length < 10) problems.push(`${res.outcome} ${res.detail}\n${JSON.stringify(text.slice(0, 2000))}`);
  }
  t.same(problems, []);
  t.ok(read > 300, `${read} mutated files read`);
  t.end();
});

t.test('the loader gives the same source whichever reader read the file', (t) => {
  const text = [
    'title: A rule',
    'query:',
    '  language: eql',
    '  text: |',
    '    process where',
    '      process.name == "x"',
    'search: \'| tstats count',
    '  from datamodel=Endpoint\'',
    'code: "one line"',
    'tests:',
    '  - name: fires',
    '    dataset: datasets/x.ndjson',
    '    expect: fire',
    '',
  ].join('\n');
  const fast = parseYamlSource(text, 'x.yml');
  // The same document with an anchor is declined by the fast reader and read by yaml alone.
  const slow = parseYamlSource(`${text}extra: !!str declined\n`, 'x.yml');
  t.ok(fast.ok && slow.ok);
  if (!fast.ok || !slow.ok) return t.end();
  t.ok(fast.source.fast, 'read by the fast reader');
  t.notOk(slow.source.fast, 'read by yaml');
  const { extra, ...slowData } = slow.source.data as Record<string, unknown>;
  t.equal(extra, 'declined');
  t.same(fast.source.data, slowData);
  t.same([...fast.source.positions], [...slow.source.positions].filter(([k]) => k !== 'extra'));
  for (const p of [['query', 'text'], ['search'], ['code'], ['tests', 0, 'name'], ['title'], ['missing'], ['tests', 5]]) {
    t.same(stringOrigin(fast.source, p), stringOrigin(slow.source, p), p.join('.'));
  }
  // yaml's document and line counter are still there on demand.
  t.equal(fast.source.doc.getIn(['query', 'language']), 'eql');
  t.same(fast.source.lineCounter.linePos(text.indexOf('tests:')), slow.source.lineCounter.linePos(text.indexOf('tests:')));
  t.end();
});

t.test('syntax errors and limits still come from yaml', (t) => {
  const bad = parseYamlSource('a: 1\na: 2\n', 'dup.yml');
  t.notOk(bad.ok);
  if (!bad.ok) t.equal(bad.diagnostics[0]?.code, 'load/yaml-syntax');
  const deep = parseYamlSource(Array.from({ length: 70 }, (_, i) => `${' '.repeat(2 * i)}k${i}:`).join('\n') + ' x\n', 'deep.yml');
  t.notOk(deep.ok);
  if (!deep.ok) t.equal(deep.diagnostics[0]?.code, 'load/yaml-limit');
  t.end();
});

t.test('the Sigma compiler gives the same query from the fast reader\'s documents as from its own parse', (t) => {
  const files = repoYaml.filter((f) => /(^|\/)sigma/.test(f) || f.startsWith('detections/sigma/'));
  let compared = 0;
  const problems: string[] = [];
  for (const file of files) {
    const text = readText(file);
    const fast = fastParseYaml(text);
    if (!fast || fast.range[0] !== 0 || text.includes('\r') || !/[^\n]\n$/.test(text)) continue;
    const data = fast.data;
    if (!('detection' in data || 'correlation' in data || 'filter' in data)) continue;
    const options = { language: 'sigma', fieldView: 'sigma' } as const;
    const own = compileSigma(text, options);
    const handed = compileSigma(text, { ...options, parsed: { text, value: [{ doc: toYamlDocument(fast), data, kind: docKind(data), start: 0 }] } });
    compared++;
    const summary = (r: ReturnType<typeof compileSigma>) =>
      r.ok ? JSON.stringify({ ir: r.query.source?.ir, fields: r.query.fields, unknown: r.query.unknownFields, stages: r.query.stageCount, literals: r.query.literals }) : JSON.stringify(r.errors);
    if (summary(own) !== summary(handed)) problems.push(file);
  }
  t.same(problems, []);
  t.ok(compared >= 4, `${compared} Sigma files compiled both ways`);
  t.end();
});

t.test('loaded Sigma rules (correlations with the rules they name, filters) compile the same from the loader\'s parse', async (t) => {
  const loaded = await loadRules(['detections', 'test/fixtures/rules'], { root });
  let handed = 0;
  const problems: string[] = [];
  for (const rule of loaded.rules) {
    if (rule.format !== 'sigma') continue;
    const parsed = rule.query.parsed?.();
    if (!parsed) continue;
    handed++;
    t.equal(parsed.text, rule.query.text);
    const options = { language: rule.query.language, fieldView: rule.query.fieldView } as const;
    const summary = (r: ReturnType<typeof compileSigma>) =>
      r.ok ? JSON.stringify({ ir: r.query.source?.ir, fields: r.query.fields, unknown: r.query.unknownFields, stages: r.query.stageCount, literals: r.query.literals }) : JSON.stringify(r.errors);
    if (summary(compileSigma(rule.query.text, options)) !== summary(compileSigma(rule.query.text, { ...options, parsed }))) problems.push(rule.source.file);
  }
  t.same(problems, []);
  t.ok(handed >= 4, `${handed} rules compiled both ways`);
  t.notOk(Object.keys(loaded.rules[0]?.query ?? {}).includes('parsed'), 'the parse is not enumerable');
  t.end();
});
