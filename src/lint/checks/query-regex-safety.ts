import { lineColumn } from '../../engine/ir.js';
import { compileLuceneRegex, LuceneRegexError } from '../../engine/lucene-regex.js';
import { SplError } from '../../engine/spl/lexer.js';
import { pcreToRegExp } from '../../engine/spl/regex.js';
import { queryPositionInFile, type Rule } from '../../rules/model.js';
import { compiledQuery, isRegexError } from '../query.js';
import { conditionsOf, queryIR, spanLocation, walkExpr } from '../query-ir.js';
import type { Finding, LintCheck, LintContext } from '../types.js';

export const queryRegexSafety: LintCheck = {
  id: 'query/regex-safety',
  defaultSeverity: 'error',
  docs: {
    description:
      "Every regular expression must compile in its language's syntax and run in linear time. EQL `regex`/`regex~` " +
      'patterns are Lucene regular expressions (no `\\d`, anchored, run as automata); Sigma `|re` and SPL `match()`/' +
      '`regex` patterns are PCRE-like and run on backtracking engines in the SIEMs that use them, where a repeated group ' +
      'that itself repeats or alternates (`(a+)+`, `(a|aa)*`) takes exponential time. The check asks the same functions ' +
      "the engine compiles with (safe-regex's `backtrackingHazard`, the Lucene and PCRE translators), so lint and engine " +
      "agree; it reports at the regex's line and column, and query/syntax leaves these errors to it.",
  },
  check(rule, context) {
    const findings: Finding[] = [];
    const compiled = compiledQuery(rule, context);
    if (!compiled.ok && !('crashed' in compiled)) {
      for (const e of compiled.errors) {
        if (!isRegexError(e)) continue;
        const pos = queryPositionInFile(rule.query, e.line, e.column);
        findings.push(finding(rule, pos, e.message));
      }
    }
    if (rule.query.language === 'spl') findings.push(...splRegexes(rule, findings));
    else findings.push(...luceneRegexes(rule, context));
    return findings;
  },
};

function finding(rule: Rule, pos: { line: number; column: number }, engineMessage: string): Finding {
  const unsafe = /unsafe|exponential|too (?:many|large|long)|characters long/i.test(engineMessage);
  return {
    location: { file: rule.source.file, line: pos.line, column: pos.column },
    message: unsafe ? `the regular expression is not linear-time safe: ${engineMessage}` : `the regular expression does not compile: ${engineMessage}`,
    hint: unsafe
      ? 'Rewrite it without a repeated group that itself repeats or alternates: a character class with one quantifier (`[a-z]+`, not `([a-z]+)+`), or a wildcard.'
      : "Fix the pattern in the language's regex syntax (EQL uses Lucene syntax: no \\d or \\w, the whole value must match).",
  };
}

/** EQL/KQL: the Lucene patterns of a compiled query, re-checked as the engine compiles them (same verdicts). */
function luceneRegexes(rule: Rule, context: LintContext): Finding[] {
  const ir = queryIR(rule, context);
  if (!ir) return [];
  const out: Finding[] = [];
  for (const condition of conditionsOf(ir)) {
    walkExpr(condition, (e) => {
      if (e.kind !== 'match' || e.mode !== 'regex') return;
      for (const p of e.patterns) {
        if (typeof p !== 'string') continue;
        try {
          compileLuceneRegex(p, e.caseInsensitive);
        } catch (err) {
          if (!(err instanceof LuceneRegexError)) throw err;
          const loc = spanLocation(rule, ir, e.span);
          out.push(finding(rule, loc, `Invalid regex [${p}]: ${err.message}`));
        }
      }
    });
  }
  return out;
}

/**
 * SPL: every pattern of a `regex` command, a `rex` command and `match()`, read from the rule text
 * (ruleproof runs some of these on a linear automaton, but Splunk runs them on PCRE, which
 * backtracks), checked by the engine's PCRE translator: syntax, length and backtracking hazard.
 */
function splRegexes(rule: Rule, already: readonly Finding[]): Finding[] {
  const text = rule.query.text;
  const out: Finding[] = [];
  const reported = new Set(already.map((f) => `${f.location?.line}:${f.location?.column}`));
  for (const literal of splRegexLiterals(text)) {
    try {
      pcreToRegExp(literal.value, { start: literal.start, end: literal.end });
    } catch (err) {
      if (!(err instanceof SplError) || err.kind === 'unsupported') continue;
      const { line, column } = lineColumn(text, err.span.start);
      const pos = queryPositionInFile(rule.query, line, column);
      if (reported.has(`${pos.line}:${pos.column}`)) continue;
      out.push(finding(rule, pos, err.message));
    }
  }
  return out;
}

/** Quoted strings that SPL takes as regular expressions, with their offsets and escapes resolved. */
export function splRegexLiterals(text: string): Array<{ value: string; start: number; end: number }> {
  const out: Array<{ value: string; start: number; end: number }> = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '"') continue;
    const start = i;
    let value = '';
    for (i++; i < text.length && text[i] !== '"'; i++) {
      if (text[i] === '\\' && (text[i + 1] === '\\' || text[i + 1] === '"')) value += text[++i];
      else value += text[i];
    }
    const before = text.slice(Math.max(0, start - 200), start);
    if (/\|\s*regex\s+(?:[\w.{}@:-]+\s*!?=\s*)?$/i.test(before) || /\|\s*rex\b[^|"]*$/i.test(before) || /\bmatch\s*\(\s*[^,()"]+,\s*$/i.test(before)) {
      out.push({ value, start, end: i + 1 });
    }
  }
  return out;
}
