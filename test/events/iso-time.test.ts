/**
 * The fast reading of `2024-01-08T09:00:00.123Z` timestamps must agree with Date.parse on every
 * string of that shape it accepts, and leave every other string to Date.parse.
 */
import t from 'tap';
import { parseIsoUtcMillis } from '../../src/events/normalize/index.js';

t.test('agrees with Date.parse on random timestamps, valid and not', async (t) => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pad = (v: number, w: number) => String(v).padStart(w, '0');
  let accepted = 0;
  for (let i = 0; i < 20000; i++) {
    const year = rand(10) === 0 ? rand(120) : rand(5) === 0 ? rand(10000) : 1900 + rand(250); // centuries and 400-year eras too
    const s = `${pad(year, 4)}-${pad(rand(14), 2)}-${pad(rand(33), 2)}T${pad(rand(26), 2)}:${pad(rand(62), 2)}:${pad(rand(62), 2)}.${pad(rand(1000), 3)}Z`;
    const fast = parseIsoUtcMillis(s);
    if (Number.isNaN(fast)) continue;
    accepted++;
    if (fast !== Date.parse(s)) {
      t.equal(fast, Date.parse(s), s);
      return;
    }
  }
  t.ok(accepted > 5000, `many accepted (${accepted})`);
  for (const s of ['2024-02-29T00:00:00.000Z', '2023-02-29T00:00:00.000Z', '2024-04-31T00:00:00.000Z', '0024-01-01T00:00:00.000Z', '2024-01-01T00:00:00Z', '2024-01-01 00:00:00.000Z', '2024-01-01T00:00:00.000+01:00', '２０２４-01-01T00:00:00.000Z']) {
    const fast = parseIsoUtcMillis(s);
    t.ok(Number.isNaN(fast) ? true : fast === Date.parse(s), `${s}: ${fast}`);
  }
  t.equal(parseIsoUtcMillis('2024-02-29T23:59:59.999Z'), Date.parse('2024-02-29T23:59:59.999Z'), 'a leap day');
  t.ok(Number.isNaN(parseIsoUtcMillis('2023-02-29T00:00:00.000Z')), 'no leap day in 2023: left to Date.parse');
});
