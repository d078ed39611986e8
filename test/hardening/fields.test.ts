/**
 * Field access: the allocation-free getter gives exactly what the plain "try every split, longest
 * key first" reading gives (a random property test), and no key from an event or a rule reaches
 * Object.prototype.
 */
import t from 'tap';
import { rng } from '../fuzz/fuzz-lib.js';
import { fieldGetter, flatten, getField, setField } from '../../src/events/fields.js';

/** The reference reading: every split of the path, the longest key that yields a value wins. */
function reference(node: unknown, parts: string[]): unknown {
  if (parts.length === 0) return node;
  if (node === null || typeof node !== 'object') return undefined;
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    for (const item of node) {
      const v = reference(item, parts);
      if (v === undefined) continue;
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
    return out.length ? out : undefined;
  }
  let best: unknown;
  for (let i = 1; i <= parts.length; i++) {
    const key = parts.slice(0, i).join('.');
    if (Object.prototype.hasOwnProperty.call(node, key)) {
      const v = reference((node as Record<string, unknown>)[key], parts.slice(i));
      if (v !== undefined) best = v;
    }
  }
  return best;
}


const NAMES = ['a', 'b', 'c', 'process', 'name', '__proto__', 'constructor'];

function randomDoc(r: () => number, depth: number): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const parts = 1 + Math.floor(r() * 3);
    const key = Array.from({ length: parts }, () => NAMES[Math.floor(r() * NAMES.length)]).join('.');
    const k = r();
    const value = depth > 0 && k < 0.4 ? randomDoc(r, depth - 1) : depth > 0 && k < 0.55 ? [randomDoc(r, depth - 1), 'x', randomDoc(r, depth - 1)] : k < 0.8 ? `v${Math.floor(r() * 9)}` : Math.floor(r() * 9);
    Object.defineProperty(doc, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return doc;
}

t.test('the getter reads what the reference reading reads (2,000 random documents)', async (t) => {
  const r = rng(7);
  let mismatches = 0;
  let defined = 0;
  for (let i = 0; i < 2000; i++) {
    const doc = randomDoc(r, 3);
    for (let j = 0; j < 5; j++) {
      const parts = Array.from({ length: 1 + Math.floor(r() * 4) }, () => NAMES[Math.floor(r() * NAMES.length)] as string);
      const path = parts.join('.');
      const want = reference(doc, parts);
      const got = fieldGetter(path)(doc);
      if (want !== undefined) defined++;
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches++;
    }
  }
  t.equal(mismatches, 0);
  t.ok(defined > 250, `many lookups found a value (${defined})`);
});

t.test('nested, flattened and mixed documents', async (t) => {
  t.equal(getField({ process: { parent: { name: 'a' } } }, 'process.parent.name'), 'a');
  t.equal(getField({ 'process.parent.name': 'b' }, 'process.parent.name'), 'b');
  t.equal(getField({ process: { 'parent.name': 'c' } }, 'process.parent.name'), 'c');
  t.equal(getField({ process: { name: 'nested' }, 'process.name': 'flat' }, 'process.name'), 'flat', 'longest key first, also for two parts');
  t.same(getField({ process: [{ name: 'x' }, { name: 'y' }] }, 'process.name'), ['x', 'y']);
});

t.test('__proto__ and constructor never read inherited properties', async (t) => {
  const doc = JSON.parse('{"process": {"name": "x"}}') as Record<string, unknown>;
  t.equal(getField(doc, '__proto__.hasOwnProperty'), undefined);
  t.equal(getField(doc, 'constructor'), undefined);
  t.equal(getField(doc, 'constructor.name'), undefined);
  t.equal(getField(doc, 'process.constructor.name'), undefined);
  t.equal(getField(doc, 'process.__proto__.toString'), undefined);
  t.equal(getField(doc, 'toString'), undefined);
  // an event that really has such keys (JSON.parse makes them own properties)
  const hostile = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"name": "evil"}}') as Record<string, unknown>;
  t.equal(getField(hostile, '__proto__.polluted'), 'yes', 'an own __proto__ key is an ordinary field');
  t.equal(getField(hostile, 'constructor.name'), 'evil');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
});

t.test('setField and flatten cannot pollute Object.prototype', async (t) => {
  const doc: Record<string, unknown> = {};
  setField(doc, '__proto__.polluted', 'yes');
  setField(doc, 'constructor.prototype.polluted2', 'yes');
  setField(doc, 'a.__proto__', { polluted3: 'yes' });
  const probe: Record<string, unknown> = {};
  t.equal(probe.polluted, undefined);
  t.equal(probe.polluted2, undefined);
  t.equal(probe.polluted3, undefined);
  t.equal(getField(doc, '__proto__.polluted'), 'yes', 'the value is kept as an ordinary key');
  t.equal(getField(doc, 'constructor.prototype.polluted2'), 'yes');
  t.equal(Object.getPrototypeOf(doc), Object.prototype);
  const flat = flatten(JSON.parse('{"__proto__": [1, 2], "x": {"__proto__": "y"}}') as Record<string, unknown>);
  t.same(Object.keys(flat).sort(), ['__proto__', 'x.__proto__']);
  t.equal(Object.getPrototypeOf(flat), Object.prototype);
  t.equal(({} as Record<string, unknown>)[0], undefined);
});
