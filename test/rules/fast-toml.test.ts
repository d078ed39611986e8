/**
 * The fast TOML reader against toml-eslint-parser: for every TOML file of the repository and for
 * thousands of mutated and generated ones, it declines or reads the same data, key positions and
 * string starts (`checkFastToml`).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import { checkFastToml } from '../../src/rules/fast-toml-check.js';
import { fastParseToml } from '../../src/rules/fast-toml.js';
import { mutate, rng } from '../fuzz/fuzz-lib.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const files = fg.sync(['detections/**/*.toml', 'test/fixtures/**/*.toml'], { cwd: root }).sort();
const texts = files.map((f) => readFileSync(path.join(root, f), 'utf8'));

t.test('every TOML file of the repository: declined or read as the parser reads it', (t) => {
  t.ok(files.length >= 10, `${files.length} files`);
  const problems = files.map((f, i) => [f, checkFastToml(texts[i] as string)] as const).filter(([, r]) => r.outcome !== 'same' && r.outcome !== 'declined');
  t.same(problems, []);
  const declined = files.filter((f, i) => f.startsWith('detections/') && !fastParseToml(texts[i] as string));
  t.same(declined, [], 'every bundled Elastic rule is read by the fast reader');
  t.end();
});

const TOML_TOKENS = [' ', '\n', '\t', '=', '"', "'", '"""', "'''", '\\', '\\n', '\\u00e9', '\\U0001F600', '\\x', '[', ']', '[[', ']]', ',', '.', '#', 'true', 'false', '0', '-1', '+5', '007', '1.5', '1e3', '1979-05-27', 'inf', 'nan', '0x1F', '1_000', '{', '}', 'a.b', '"q" ', '\r\n', '\u0000', 'é', '__proto__'];

t.test('mutated TOML files: declined or read as the parser reads them', (t) => {
  const r = rng(7331);
  const problems: string[] = [];
  let read = 0;
  for (let i = 0; i < 4000; i++) {
    const text = mutate(texts[i % texts.length] as string, r, TOML_TOKENS);
    const res = checkFastToml(text);
    if (res.outcome === 'same') read++;
    else if (res.outcome !== 'declined' && problems.length < 10) problems.push(`${res.outcome} ${res.detail}\n${JSON.stringify(text.slice(0, 3000))}`);
  }
  t.same(problems, []);
  t.ok(read > 500, `${read} mutated files read`);
  t.end();
});

t.test('generated tables, arrays of tables and values', (t) => {
  const r = rng(42);
  const pick = (xs: readonly string[]) => xs[Math.floor(r() * xs.length)] as string;
  const HEADERS = ['[rule]', '[metadata]', '[[rule.threat]]', '[rule.threat.tactic]', '[[rule.threat.technique]]', '[[rule.threat.technique.subtechnique]]', '[rule]', '[a.b]', '[a]', '[[a]]', '[ rule ]', '[rule] # c', '[rule.threat_filters."$state"]', '[rule.filters.query.wildcard."file.path"]', "[a.'lit.key']", '[a."b"]', '["a".b]', '[a.""]', '[a."__proto__"]', '[a."\\u0041"]', '[a.b.c]', '[a."b".c]'];
  const VALUES = ['"text"', "'literal'", '"esc \\" \\\\ \\t \\u00e9"', '"""\nmulti\nline"""', '"""inline"""', "'''\nraw \\ text\n'''", '"""\n  a \\\n    b"""', '1', '-42', '0', 'true', 'false', '["a", "b"]', '[\n  "a", # c\n  "b",\n]', '[]', '[1, "x", true]', '[[1], ["a"]]', '1.5', '1979-05-27', '{a = 1}', '"unterminated', '"""a""""', "'a\nb'", '{ excluded = false, field = "event.code", value = "10" }', '{value = 30, unit = "m"}', '{}', '{ }', '{a = {b = [1, "x"]}, c = true}', '[\n  { a = 1, b = "x" },\n  { a = 2 }\n]', '[[{ k = "v" }], [{ k = "w" }]]', '{a = 1,}', '{a = 1, a = 2}', '{ a = 1\n}', '{a.b = 1}', '{"q" = 1, \'l\' = 2}', '{a = [\n1]}', '{a = ""\"x""\"}', '{__proto__ = 1}', '{a = 1} x', '{a = 1 b = 2}'];
  const KEYS = ['name', 'query', 'rule_id', 'tags', 'id', 'a', 'b-c', 'x_1', '1', 'name', '"quoted"', 'a.b'];
  const problems: string[] = [];
  let read = 0;
  let readInline = 0;
  let readQuoted = 0;
  for (let i = 0; i < 3000; i++) {
    const lines: string[] = [];
    const n = 1 + Math.floor(r() * 12);
    for (let j = 0; j < n; j++) {
      const roll = r();
      if (roll < 0.25) lines.push(pick(HEADERS));
      else if (roll < 0.3) lines.push(r() < 0.5 ? '' : '# comment');
      else lines.push(`${pick(KEYS)} = ${pick(VALUES)}${r() < 0.1 ? ' # trailing' : ''}`);
    }
    const text = lines.join('\n') + (r() < 0.8 ? '\n' : '');
    const res = checkFastToml(text);
    if (res.outcome === 'same') {
      read++;
      if (/= \[?\s*\{/.test(text)) readInline++;
      if (/^\[[^\n]*["']/m.test(text)) readQuoted++;
    } else if (res.outcome !== 'declined' && problems.length < 10) problems.push(`${res.outcome} ${res.detail}\n${JSON.stringify(text)}`);
  }
  t.same(problems, []);
  t.ok(read > 300, `${read} generated files read`);
  // The newer constructs are read, not only declined.
  t.ok(readInline > 30, `${readInline} read with inline tables`);
  t.ok(readQuoted > 30, `${readQuoted} read with quoted header keys`);
  t.end();
});
