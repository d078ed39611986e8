/**
 * The byte-level line reader behind prefiltering: the same lines and line numbers as the plain
 * reader (LF, CRLF, lone CR, a BOM, breaks that straddle read chunks), and overlong lines dropped
 * without being held, with the run going on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { readLines } from '../../src/events/readers/lines.js';
import { readRawLines } from '../../src/util/raw-lines.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ruleproof-lines-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function both(name: string, content: string | Buffer) {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  const plain: string[] = [];
  for await (const l of readLines(file)) if (l.text.trim() !== '') plain.push(`${l.line}:${l.text}`);
  const raw: string[] = [];
  for await (const l of readRawLines(file)) raw.push(`${l.line}:${l.text}`);
  return { plain, raw };
}

t.test('line breaks and numbers agree with readline', async (t) => {
  const cases: Record<string, string> = {
    lf: 'a\nb\n\nc\n',
    crlf: 'a\r\nb\r\n\r\nc',
    cr: 'a\rb\r\rc\r',
    mixed: 'a\r\nb\nc\rd\r\n\re',
    bom: '\ufeff{"x":1}\n{"y":2}',
    unicode: 'é\nß\r\n😀\n',
    blank: '  \n\t\nx\n',
  };
  for (const [name, content] of Object.entries(cases)) {
    const { plain, raw } = await both(name, content);
    t.same(raw, plain, name);
  }
});

t.test('breaks straddling the 64 KiB read chunks', async (t) => {
  const chunk = 1 << 16;
  for (const offset of [-2, -1, 0, 1]) {
    for (const brk of ['\r\n', '\r', '\n']) {
      const head = 'x'.repeat(chunk + offset - 1);
      const content = `${head}${brk}second\r\nthird\n${'y'.repeat(chunk)}\rlast`;
      const { plain, raw } = await both(`straddle${offset}${brk.length}${brk.charCodeAt(0)}`, content);
      t.same(raw.map((l) => l.slice(0, 20)), plain.map((l) => l.slice(0, 20)), `offset ${offset}, break ${JSON.stringify(brk)}`);
    }
  }
});

t.test('random files of several chunks, ASCII and multi-byte, read as readline reads them', async (t) => {
  // Seeded: lines of random length, some with multi-byte characters (which then also straddle the
  // 64 KiB read boundaries), random breaks; read without a filter and with one that keeps every
  // line (the filter's path decodes each chunk as Latin-1 for its scan), against readline.
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const pieces = ['a', 'Z', '0', ' ', '"', '{', '}', ':', ',', '\\', 'é', 'ß', '😀', 'ｘ'];
  for (let round = 0; round < 6; round++) {
    const asciiOnly = round % 2 === 0;
    const lines: string[] = [];
    let size = 0;
    while (size < 3 * 65536) {
      let text = '';
      const len = rand(400);
      for (let i = 0; i < len; i++) text += pieces[rand(asciiOnly ? 10 : pieces.length)];
      lines.push(text + ['\n', '\r\n', '\r'][rand(3)]);
      size += text.length + 2;
    }
    const file = `mixed-${round}`;
    const { plain, raw } = await both(file, lines.join(''));
    t.same(raw, plain, `round ${round} (${asciiOnly ? 'ASCII' : 'mixed'}), no filter`);
    const kept: string[] = [];
    const keepAll = { test: () => true };
    for await (const l of readRawLines(path.join(dir, file), { filter: keepAll })) kept.push(`${l.line}:${l.text}`);
    t.same(kept, plain, `round ${round}, through a filter`);
  }
});

t.test('a rejected line is skipped and counted; kept lines keep their numbers', async (t) => {
  const file = path.join(dir, 'filtered');
  writeFileSync(file, '{"keep":1}\n{"skip":2}\n\n {"keep":4} \r\n{"skip":5}\n{"skip": cut short\n');
  const skipped: number[] = [];
  const kept: string[] = [];
  const filter = { test: (b: Uint8Array, s: number, e: number) => Buffer.from(b.subarray(s, e)).toString().includes('keep') };
  for await (const l of readRawLines(file, { filter, onSkip: (n) => skipped.push(n) })) kept.push(`${l.line}:${l.text}`);
  t.same(kept, ['1:{"keep":1}', '4: {"keep":4} ', '6:{"skip": cut short'], 'a line that is not a whole object is never filtered away');
  t.same(skipped, [2, 5]);
});

t.test('a rejected line is skipped only when it is framed as one object and holds no glue point', async (t) => {
  const file = path.join(dir, 'damaged');
  const lines = [
    '{"n":1,"a":[1,{"b":"}"}],"c":"\\\\"}', // braces inside strings, escaped backslash: whole
    '{"n":2}{"n":2.5}', // two records glued together
    '{"n":3,"cmd":"powershell -enc AAA{"n":3.5,"b":1}', // a record cut short, the next glued to it
    '{"n":4,"a":"unterminated', // a record cut short (the writer died)
    '{"n":5}]', // a stray bracket after the object
    '{"n":6,"tab":"a\\tb"}  ', // an escape and trailing blanks: whole
    ' {"n":7,"guid":"{4a363e6b-5b2c-11ef-0000-001000000000}","o": {"p":1}}', // braces in values, blanks: whole
    '[{"n":8}]', // an array, not an object
    '{"n":9,"a":1} {"n":9.5}', // glued after a blank
    '{"n":10,"a":{}}{}', // an empty record glued
    '{"n":11,"a":[1}', // damage that keeps the frame: found by parsing only (--strict)
  ];
  writeFileSync(file, lines.join('\n'));
  const skipped: number[] = [];
  const handedOn: number[] = [];
  const filter = { test: () => false };
  for await (const l of readRawLines(file, { filter, onSkip: (n) => skipped.push(n) })) handedOn.push(l.line);
  t.same(handedOn, [2, 3, 4, 5, 8, 9, 10], 'cut, glued and unframed lines reach the reader, which reports them');
  t.same(skipped, [1, 6, 7, 11], 'whole objects no rule can match are skipped, and so is damage inside a frame');
  // The same through a chunk-wide filter (keep positions): the glue points are found the same way.
  const chunkWide = { test: () => false, keepPositions: () => [] as number[] };
  const handedOn2: number[] = [];
  for await (const l of readRawLines(file, { filter: chunkWide })) handedOn2.push(l.line);
  t.same(handedOn2, handedOn, 'the same lines with keep positions');
});

t.test('a line of many chunks is read whole, and the lines after it too', async (t) => {
  const file = path.join(dir, 'long');
  const long = `{"a":"${'x'.repeat(3 * (1 << 20) + 12345)}"}`;
  writeFileSync(file, `{"first":1}\n${long}\r\n{"after":2}\n${long}`);
  const lines: string[] = [];
  for await (const l of readRawLines(file)) lines.push(l.text);
  t.equal(lines.length, 4);
  t.equal(lines[1], long, 'the long line, whole');
  t.equal(lines[2], '{"after":2}');
  t.equal(lines[3], long, 'a long last line without a break');
});

t.test('overlong lines are dropped with their number and size, and reading goes on', async (t) => {
  const file = path.join(dir, 'overlong');
  const huge = 'z'.repeat(3 * (1 << 18) + 17);
  writeFileSync(file, `{"a":1}\n${huge}\n{"b":2}\r\n${'q'.repeat(100)}`);
  const overlong: Array<[number, number]> = [];
  const kept: string[] = [];
  for await (const l of readRawLines(file, { maxLineBytes: 64, onOverlong: (line, bytes) => overlong.push([line, bytes]) })) kept.push(`${l.line}:${l.text}`);
  t.same(kept, ['1:{"a":1}', '3:{"b":2}']);
  t.same(overlong, [
    [2, huge.length],
    [4, 100],
  ]);
});

t.test('a filter that lets most lines through is dropped after a trial (it would only add its scan)', async (t) => {
  const file = path.join(dir, 'mostly-kept');
  // Lines of event size, so that a 64 KiB chunk holds about a hundred of them.
  const pad = 'x'.repeat(480);
  const lines = Array.from({ length: 6000 }, (_, i) => (i % 10 === 0 ? `{"skip":${i},"pad":"${pad}"}` : `{"keep":${i},"pad":"${pad}"}`));
  writeFileSync(file, lines.join('\n'));
  const skipped: number[] = [];
  let read = 0;
  const filter = { test: (b: Uint8Array, s: number, e: number) => Buffer.from(b.subarray(s, e)).toString().includes('keep') };
  for await (const _ of readRawLines(file, { filter, onSkip: (n) => skipped.push(n) })) read++;
  t.equal(read + skipped.length, 6000, 'every line is read or counted as skipped');
  t.ok(skipped.length >= 190 && skipped.length < 230, `only lines of the trial (2,000 and the rest of that chunk) are skipped (${skipped.length})`);
  t.ok(Math.max(...skipped) < 2300, 'none after the trial');
  const selective = path.join(dir, 'mostly-skipped');
  writeFileSync(selective, lines.map((l, i) => (i % 100 === 0 ? l.replace('skip', 'keep') : l.replace('keep', 'skip'))).join('\n'));
  const skipped2: number[] = [];
  for await (const _ of readRawLines(selective, { filter, onSkip: (n) => skipped2.push(n) })) void _;
  t.equal(skipped2.length, 5940, 'a selective filter stays on to the end');
});
