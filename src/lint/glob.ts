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
      const end = g.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${g.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += escape(c);
  }
  // A directory glob also matches everything under it (`detections/legacy` = `detections/legacy/**`).
  const compiled = new RegExp(`^${re}(?:/.*)?$`);
  cache.set(glob, compiled);
  return compiled;
}

function escape(s: string): string {
  return s.replace(/[.+^$()|\\\]{}*?[]/g, '\\$&');
}

export function matchesGlob(file: string, glob: string): boolean {
  return globToRegExp(glob).test(file.replace(/\\/g, '/').replace(/^\.\//, ''));
}
