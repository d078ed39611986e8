/**
 * Sigma `re` values → a JavaScript pattern with the same meaning.
 *
 * Sigma authors write PCRE/Python-style expressions and assume an unanchored search (docs/sigma.md).
 * The engine's regex call anchors at the start and always runs with the `s` flag, so the pattern is
 * rewritten to carry its own semantics: a lazy `[\s\S]*?` prefix makes it a search, `.` becomes
 * "any character but a newline" unless the `s` flag is on, `^`/`$` become line anchors under `m`,
 * a leading `(?i)`/`(?ims)` group becomes flags (Node 20 rejects inline groups), and Python's
 * `(?P<name>…)`, `(?P=name)`, `\A`, `\Z` get their JavaScript spelling. The result is checked by
 * compiling it without the `u` flag (SigmaHQ's regexes use identity escapes `u` forbids).
 */

export interface ConvertedRegex {
  /** Pattern for the engine's start-anchored regex call. */
  pattern: string;
  caseInsensitive: boolean;
}

export class SigmaRegexError extends Error {
  constructor(
    message: string,
    public readonly kind: 'syntax' | 'unsupported' = 'syntax',
  ) {
    super(message);
  }
}

export function convertSigmaRegex(source: string, modifierFlags: string): ConvertedRegex {
  let flags = modifierFlags;
  let body = source;
  const lead = /^\(\?([imsx]+)\)/.exec(body);
  if (lead) {
    flags += lead[1];
    body = body.slice(lead[0].length);
  }
  if (flags.includes('x')) throw new SigmaRegexError('the verbose (?x) regex flag is not supported', 'unsupported');
  const dotall = flags.includes('s');
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\') {
      const n = body[i + 1];
      if (n === undefined) throw new SigmaRegexError('the regular expression ends with a lone backslash');
      if (!inClass && n === 'A') out += '^';
      else if (!inClass && (n === 'Z' || n === 'z')) out += '$';
      else out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is literal in PCRE.
      if (body[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (body[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && body[i + 1] === '?') {
      const rest = body.slice(i);
      const named = /^\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) {
        out += `(?<${named[1]}>`;
        i += named[0].length - 1;
        continue;
      }
      const backref = /^\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
      if (backref) {
        out += `\\k<${backref[1]}>`;
        i += backref[0].length - 1;
        continue;
      }
      if (/^\(\?[imsx-]+[:)]/.test(rest)) throw new SigmaRegexError('inline flag groups other than a leading (?i)/(?m)/(?s) are not supported', 'unsupported');
      if (/^\(\?>/.test(rest)) throw new SigmaRegexError('atomic groups (?>…) are not supported by JavaScript regular expressions', 'unsupported');
    }
    if (c === '.' && !dotall) {
      out += '[^\\n]';
      continue;
    }
    if (c === '^' && multiline) {
      out += '(?:^|(?<=\\n))';
      continue;
    }
    if (c === '$') {
      // Python: end of input or before a final newline; with m, before any newline.
      out += multiline ? '(?=\\n|$)' : '(?=\\n?$)';
      continue;
    }
    if ((c === '+' || c === '*' || c === '?' || c === '}') && body[i + 1] === '+') {
      throw new SigmaRegexError('possessive quantifiers are not supported by JavaScript regular expressions', 'unsupported');
    }
    out += c;
  }
  try {
    // eslint-disable-next-line no-new
    new RegExp(out, 's');
  } catch (err) {
    throw new SigmaRegexError(`invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  return { pattern: `[\\s\\S]*?(?:${out})`, caseInsensitive: flags.includes('i') };
}
