/**
 * The ahead-of-time schema validators (scripts/build-validators.mjs → src/rules/schema/
 * validators.generated.cjs) are up to date, are the ones used, and report exactly what ajv compiling
 * the schemas at run time reports — same verdict, same errors in the same order — over the bundled
 * native rules and sidecars and thousands of seeded mutations of them.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { parse } from 'yaml';
import type { ValidateFunction } from 'ajv';
import { runtimeValidator, validatorFor } from '../../src/rules/validate.js';
import { runtimeForeignValidator, validator as foreignValidator } from '../../src/rules/macros-schema.js';
import { precompiledValidator } from '../../src/rules/precompiled.js';
import { rng } from '../fuzz/fuzz-lib.js';

const root = path.resolve(import.meta.dirname, '../..');

t.test('the committed validators were generated from the schemas as they are', async (t) => {
  const out = execFileSync(process.execPath, [path.join(root, 'scripts/build-validators.mjs'), '--check'], { encoding: 'utf8' });
  t.match(out, /is up to date/);
  for (const name of ['native-rule', 'sidecar-tests', 'test-case'] as const) t.equal(validatorFor(name).precompiled, true, `${name} is validated by the generated code`);
  for (const name of ['escu-detection', 'escu-macro', 'escu-settings', 'car-analytic'] as const) {
    t.not(foreignValidator(name), runtimeForeignValidator(name), `${name} is validated by the generated code`);
  }
  // Without generated code (or for a schema it does not name) there is nothing ahead of time: the caller compiles.
  t.equal(precompiledValidator('no-such.generated.cjs', 'native-rule.schema.json'), undefined);
  t.equal(precompiledValidator('validators.generated.cjs', 'escu-macro.schema.json'), undefined);
});

/** Values of every JSON type, and strings that fail the schemas' patterns and enums. */
const ODD_VALUES: unknown[] = [null, true, 0, -1, 1.5, 1e9, '', 'x', 'fire', 'quiet', 'not-a-uuid', 'T1021', '2024-13-40', [], ['x'], [1], {}, { a: 1 }, { id: 'T1021' }];

type Node = Record<string, unknown> | unknown[];

/** Every object or array inside `value` (itself included). */
function containers(value: unknown, out: Node[] = []): Node[] {
  if (value && typeof value === 'object') {
    out.push(value as Node);
    for (const v of Object.values(value)) containers(v, out);
  }
  return out;
}

/** One random edit of a document: a key removed, added or retyped, an array element dropped or added. */
function mutateDocument(doc: unknown, r: () => number): unknown {
  const copy = structuredClone(doc);
  const nodes = containers(copy);
  const node = nodes[Math.floor(r() * nodes.length)];
  if (!node) return ODD_VALUES[Math.floor(r() * ODD_VALUES.length)];
  const odd = () => structuredClone(ODD_VALUES[Math.floor(r() * ODD_VALUES.length)]);
  if (Array.isArray(node)) {
    if (node.length && r() < 0.5) node.splice(Math.floor(r() * node.length), 1);
    else node.push(r() < 0.5 && node.length ? structuredClone(node[0]) : odd());
    return copy;
  }
  const keys = Object.keys(node);
  const choice = r();
  if (keys.length && choice < 0.3) delete node[keys[Math.floor(r() * keys.length)] as string];
  else if (choice < 0.45) node[['unknown_key', 'tags', 'expect', 'reason', 'dataset', 'version', 'ID'][Math.floor(r() * 7)] as string] = odd();
  else if (keys.length) node[keys[Math.floor(r() * keys.length)] as string] = odd();
  return copy;
}

function corpus(pattern: string): unknown[] {
  return fg.sync(pattern, { cwd: root, absolute: true }).sort().map((f) => parse(readFileSync(f, 'utf8')) as unknown);
}

const CASES = Number(process.env.RULEPROOF_VALIDATOR_CASES ?? 1000);

const escuDocs = corpus('detections/splunk/detections/**/!(*.tests).yml');
const families: Array<[string, unknown[], ValidateFunction, ValidateFunction]> = [
  ['native-rule', corpus('detections/**/!(*.tests).yml').filter((d) => d && typeof d === 'object' && 'query' in (d as object) && 'severity' in (d as object)), validatorFor('native-rule').validate, runtimeValidator('native-rule')],
  ['sidecar-tests', corpus('detections/**/*.tests.yml'), validatorFor('sidecar-tests').validate, runtimeValidator('sidecar-tests')],
  ['test-case', corpus('detections/**/*.tests.yml').flatMap((d) => (d as { tests?: unknown[] })?.tests ?? []), validatorFor('test-case').validate, runtimeValidator('test-case')],
  ['escu-detection', escuDocs, foreignValidator('escu-detection'), runtimeForeignValidator('escu-detection')],
  ['escu-macro', corpus('detections/splunk/macros/*.yml'), foreignValidator('escu-macro'), runtimeForeignValidator('escu-macro')],
  ['escu-settings', corpus('detections/splunk/ruleproof.escu.yml'), foreignValidator('escu-settings'), runtimeForeignValidator('escu-settings')],
  ['car-analytic', corpus('detections/car/analytics/*.yaml'), foreignValidator('car-analytic'), runtimeForeignValidator('car-analytic')],
];

for (const [name, docs, ahead, runtime] of families) {
  t.test(`${name}: generated and run-time validators agree`, async (t) => {
    t.ok(docs.length > 0, `bundled ${name} documents found (${docs.length})`);
    const r = rng(0x5eed + name.length);
    let invalid = 0;
    let disagreements = 0;
    for (let i = 0; i < CASES; i++) {
      let doc = docs[i % docs.length];
      const edits = i < docs.length ? 0 : 1 + Math.floor(r() * 3);
      for (let k = 0; k < edits; k++) doc = mutateDocument(doc, r);
      const a = ahead(doc);
      const b = runtime(doc);
      if (!b) invalid++;
      if (a !== b || JSON.stringify(ahead.errors ?? null) !== JSON.stringify(runtime.errors ?? null)) {
        disagreements++;
        if (disagreements <= 3) t.same({ valid: a, errors: ahead.errors ?? null }, { valid: b, errors: runtime.errors ?? null }, `case ${i}`);
      }
    }
    t.equal(disagreements, 0, `no disagreement over ${CASES} documents`);
    // The mutations must exercise the error paths, not only valid documents.
    t.ok(invalid > CASES / 5, `${invalid} of ${CASES} documents were invalid`);
  });
}
