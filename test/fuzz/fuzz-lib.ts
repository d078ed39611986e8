/**
 * Seeded, deterministic fuzzing helpers shared by the CI fuzz tests (a few thousand cases) and
 * `scripts/fuzz.mjs` (long runs): a PRNG, and mutations of valid inputs (byte flips, cuts,
 * duplications, splices of dangerous tokens).
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ['[', ']', '(', ')', '"', '"""', '\\', '*', '?', '~', ':', '==', 'and', 'or', 'not', 'where', 'sequence', 'by', 'with', 'maxspan=', 'until', '|', 'head', 'tail', '!', '?', '`', '/*', '*/', '//', '\n', '\r\n', '\u0000', '😀', 'é', '{', '}', ',', '<', '>', 'null', '1e309', '-', '.', '__proto__', 'constructor', '{"', '":', '<Event>', '</Event>', '&amp;', '&#x41;', '<!DOCTYPE x [<!ENTITY e "boom">]>', '&e;'];

export function mutate(input: string, r: () => number): string {
  let s = input;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = Math.floor(r() * 6);
    if (op === 0) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 5)); // delete
    else if (op === 1) s = s.slice(0, at) + (TOKENS[Math.floor(r() * TOKENS.length)] as string) + s.slice(at); // insert token
    else if (op === 2) s = s.slice(0, at); // cut short
    else if (op === 3) {
      const from = Math.floor(r() * s.length);
      s = s.slice(0, at) + s.slice(from, from + Math.floor(r() * 20)) + s.slice(at); // duplicate a piece
    } else if (op === 4 && s.length) {
      const i = Math.min(at, s.length - 1);
      s = s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << Math.floor(r() * 7))) + s.slice(i + 1); // bit flip
    } else s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x3000)) + s.slice(at); // random character
  }
  return s;
}

export function randomText(r: () => number, max: number): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += r() < 0.3 ? (TOKENS[Math.floor(r() * TOKENS.length)] as string) : String.fromCharCode(32 + Math.floor(r() * 95));
  return s;
}
