/**
 * Path globs for configuration overrides (`files: ["detections/legacy/**", "*.toml"]`), matched
 * against repository-relative `/` paths. Small on purpose: `**`, `*`, `?`, `{a,b}` and `[...]`,
 * which is what people write in ESLint/Prettier overrides. A glob without a `/` matches the base
 * name anywhere (`*.toml`), as in .gitignore.
 */
const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  const cached = cache.get(glob);
  if (cached) return cached;
  let g = glob.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!g.includes('/')) g = `**/${g}`;
  if (g.endsWith('/')) g += '**';
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*') {
      if (g[i + 1] === '*') {
        const slash = g[i + 2] === '/';
        // `**/` matches zero or more whole directories; a trailing `**` matches everything below.
        re += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = g.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${g.slice(i + 1, end).split(',').map(escape).join('|')})`;
        i = end;
      }
    } else if (c === '[') {
      // `[!…]` (or `[^…]`) negates; a `]` first in the class is a member, as in shells.
      const negated = g[i + 1] === '!' || g[i + 1] === '^';
      const from = i + 1 + (negated ? 1 : 0);
      const end = g.indexOf(']', g[from] === ']' ? from + 1 : from);
      const cls = end < 0 ? undefined : charClass(g.slice(from, end), negated);
      if (cls === undefined) re += '\\[';
      else {
        re += cls;
        i = end;
      }
    } else re += escape(c);
  }
  // A directory glob also matches everything under it (`detections/legacy` = `detections/legacy/**`).
  const compiled = new RegExp(`^${re}(?:/.*)?$`);
  cache.set(glob, compiled);
  return compiled;
}

/**
 * A bracket expression as a regular expression: ranges (`a-z`) kept, everything else a member as
 * written (`\`, `[`, `]`, `^` escaped); like `*` and `?`, it never matches a `/`. `undefined` when
 * it is no valid class (a range out of order, `[z-a]`): the `[` is then an ordinary character.
 */
function charClass(body: string, negated: boolean): string | undefined {
  const members = body.replace(/[\\\]\[^]/g, '\\$&');
  const cls = negated ? `[^/${members}]` : `(?!/)[${members}]`;
  try {
    new RegExp(cls);
  } catch {
    return undefined;
  }
  return cls;
}

function escape(s: string): string {
  return s.replace(/[.+^$()|\\\]{}*?[]/g, '\\$&');
}

export function matchesGlob(file: string, glob: string): boolean {
  return globToRegExp(glob).test(file.replace(/\\/g, '/').replace(/^\.\//, ''));
}
