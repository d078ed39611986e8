/** toPosixRelative's shortcut for normalised paths under a normalised root gives what the general way gives. */
import path from 'node:path';
import t from 'tap';
import { toPosixRelative } from '../../src/util/paths.js';

const general = (root: string, file: string) => path.relative(root, path.resolve(root, file)).split(path.sep).join('/');

t.test('agrees with path.relative(root, path.resolve(root, file)) on edge cases and generated paths', async (t) => {
  const roots = ['/repo', '/repo/', '/', '/a/b', '/a/./b', '/a/../repo', 'relative/root', '/repo//x'];
  const tails = ['', 'x', 'x/', 'x//y', './x', 'x/.', 'x/..', '../x', 'x/../y', '.hidden', '..x', 'x/.y/z', 'x/..y', 'a/b/c.toml', 'détections/r.yml', '...'];
  let cases = 0;
  for (const root of roots) {
    for (const tail of tails) {
      for (const file of [`${root}/${tail}`, `${root}${tail}`, tail, `/elsewhere/${tail}`]) {
        t.equal(toPosixRelative(root, file), general(root, file), `${JSON.stringify(root)} ${JSON.stringify(file)}`);
        cases++;
      }
    }
  }
  // Seeded random paths from a small alphabet that makes separators and dots common.
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = ['/', '/', '.', '.', 'a', 'b', 'c'];
  const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  for (let i = 0; i < 3000; i++) {
    const root = '/' + word(1 + Math.floor(next() * 6));
    const file = (next() < 0.7 ? root : '') + word(Math.floor(next() * 10));
    t.equal(toPosixRelative(root, file), general(root, file), `${JSON.stringify(root)} ${JSON.stringify(file)}`);
    cases++;
  }
  t.ok(cases > 3000, `${cases} cases`);
});
