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

export function mutate(input: string, r: () => number, tokens: readonly string[] = TOKENS): string {
  let s = input;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = Math.floor(r() * 6);
    if (op === 0) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 5)); // delete
    else if (op === 1) s = s.slice(0, at) + (tokens[Math.floor(r() * tokens.length)] as string) + s.slice(at); // insert token
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

export function randomText(r: () => number, max: number, tokens: readonly string[] = TOKENS): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += r() < 0.3 ? (tokens[Math.floor(r() * tokens.length)] as string) : String.fromCharCode(32 + Math.floor(r() * 95));
  return s;
}

/**
 * A run's settings from the environment (`scripts/fuzz.mjs` sets them for long runs): how many
 * cases, the seed, and a deadline that ends the loop early rather than letting a slow machine
 * time the test out.
 */
export function fuzzSettings(defaultCases: number, defaultSeed: number, defaultSeconds = 60): { cases: number; seed: number; deadline: number; repeat: string } {
  const cases = Number(process.env.FUZZ_CASES ?? defaultCases);
  const seed = Number(process.env.FUZZ_SEED ?? defaultSeed);
  const deadline = Date.now() + Number(process.env.FUZZ_SECONDS ?? defaultSeconds) * 1000;
  return { cases, seed, deadline, repeat: `FUZZ_SEED=${seed} FUZZ_CASES=${cases}` };
}

/** A 1-based line/column that lies inside `text` (or just past its end). */
export function positionInside(text: string, line: number, column: number): boolean {
  const lines = text.split(/\r\n|\r|\n/);
  if (!(Number.isInteger(line) && Number.isInteger(column) && line >= 1 && column >= 1 && line <= lines.length + 1)) return false;
  const len = (lines[line - 1] ?? '').length;
  return column <= len + 2;
}

const INTERESTING_U16 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];
const INTERESTING_U32 = [0, 1, 0x1000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

/**
 * Byte-level mutations of binary formats: bit flips, random bytes, boundary values written over
 * 16- and 32-bit fields (sizes, lengths, offsets, counts), zeroed or duplicated runs, cuts.
 * Offsets are drawn from `regions` ([start, end) pairs) when given, so a mutation lands where the
 * parser looks rather than in padding.
 */
export function mutateBytes(input: Buffer, r: () => number, regions: Array<[number, number]> = [[0, input.length]]): Buffer {
  let b = Buffer.from(input);
  const n = 1 + Math.floor(r() * 6);
  for (let k = 0; k < n && b.length > 0; k++) {
    const [lo, hi] = regions[Math.floor(r() * regions.length)] as [number, number];
    const at = Math.min(b.length - 1, lo + Math.floor(r() * Math.max(1, hi - lo)));
    const op = Math.floor(r() * 8);
    if (op === 0) b[at] = (b[at] as number) ^ (1 << Math.floor(r() * 8));
    else if (op === 1) b[at] = Math.floor(r() * 256);
    else if (op === 2 && at + 2 <= b.length) b.writeUInt16LE(INTERESTING_U16[Math.floor(r() * INTERESTING_U16.length)] as number, at);
    else if (op === 3 && at + 4 <= b.length) b.writeUInt32LE(INTERESTING_U32[Math.floor(r() * INTERESTING_U32.length)] as number, at);
    else if (op === 4) b.fill(0, at, Math.min(b.length, at + 1 + Math.floor(r() * 64)));
    else if (op === 5) {
      const from = Math.floor(r() * b.length);
      b.copy(b, at, from, Math.min(b.length, from + 1 + Math.floor(r() * 64)));
    } else if (op === 6 && r() < 0.2) b = b.subarray(0, at);
    else if (at + 2 <= b.length) b.writeUInt16LE((b.readUInt16LE(at) + (r() < 0.5 ? 1 : -1) * (1 + Math.floor(r() * 16))) & 0xffff, at);
  }
  return b;
}
