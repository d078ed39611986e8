/**
 * Parse a YAML file into plain data plus the position of every field, keyed by dotted path
 * (`tests.2.expect`), with the yaml package's `LineCounter`. Syntax errors come back as located
 * diagnostics rather than exceptions so that one bad file never stops a run.
 */
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { limitEnvName, limits } from '../util/limits.js';
import type { Diagnostic } from '../util/diagnostics.js';
import type { Position } from './model.js';

export interface YamlSource {
  doc: Document.Parsed;
  data: unknown;
  positions: Map<string, Position>;
  lineCounter: LineCounter;
  text: string;
}

export type YamlParse = { ok: true; source: YamlSource } | { ok: false; diagnostics: Diagnostic[] };

export function positionAt(lineCounter: LineCounter, offset: number): Position {
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** Nesting deeper than the limit (checked without recursion, before anything walks the tree). */
function yamlLimitProblem(doc: Document, text: string, file: string, lineCounter: LineCounter): Diagnostic | undefined {
  const max = limits().maxYamlDepth;
  const stack: Array<[unknown, number]> = [[doc.contents, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > max) {
      const at = positionAt(lineCounter, (node as Node).range?.[0] ?? 0);
      void text;
      return {
        file,
        line: at.line,
        column: at.column,
        severity: 'error',
        code: 'load/yaml-limit',
        message: `YAML nested deeper than ${max} levels; the file is not loaded`,
        hint: `Flatten the structure, or raise the limit with ${limitEnvName('maxYamlDepth')}.`,
      };
    }
    for (const item of (node as { items: unknown[] }).items) {
      if (isPair(item)) {
        stack.push([item.key, depth + 1]);
        stack.push([item.value, depth + 1]);
      } else stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

export function parseYamlSource(text: string, file: string): YamlParse {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      diagnostics: doc.errors.map((e) => {
        const opened = unclosedFlowStart(text, e.message, e.pos[0]);
        const pos = positionAt(lineCounter, opened ?? e.pos[0]);
        if (opened !== undefined) {
          const bracket = text[opened] === '[' ? ['[', ']'] : ['{', '}'];
          return {
            file,
            line: pos.line,
            column: pos.column,
            severity: 'error',
            code: 'load/yaml-syntax',
            message: `invalid YAML: the ${bracket[0]} opened here is not closed`,
            hint: `Close it with ${bracket[1]} (or quote the value if the ${bracket[0]} is meant literally).`,
          } satisfies Diagnostic;
        }
        return {
          file,
          line: pos.line,
          column: pos.column,
          severity: 'error',
          code: 'load/yaml-syntax',
          message: /Maximum call stack size exceeded/.test(e.message)
            ? `invalid YAML: nested too deeply to read (the limit is ${limits().maxYamlDepth} levels)`
            : `invalid YAML: ${firstLine(e.message)}`,
          hint: yamlHint(e.code),
        } satisfies Diagnostic;
      }),
    };
  }
  const limit = yamlLimitProblem(doc, text, file, lineCounter);
  if (limit) return { ok: false, diagnostics: [limit] };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: limits().maxYamlAliases });
  } catch (err) {
    // yaml refuses documents whose aliases expand too much (a "billion laughs" bomb)
    const at = positionAt(lineCounter, Math.max(0, text.indexOf('*')));
    return {
      ok: false,
      diagnostics: [
        {
          file,
          line: at.line,
          column: at.column,
          severity: 'error',
          code: 'load/yaml-limit',
          message: `YAML aliases expand too much (${(err as Error).message}); the file is not loaded`,
          hint: `Write the repeated values out, or raise the limit of ${limits().maxYamlAliases} alias uses with ${limitEnvName('maxYamlAliases')}.`,
        },
      ],
    };
  }
  const positions = new Map<string, Position>();
  if (doc.contents) collectPositions(doc.contents, '', positions, lineCounter);
  return { ok: true, source: { doc, data, positions, lineCounter, text } };
}

/**
 * yaml reports an unclosed flow collection where it gave up (often the next line); the author needs
 * the line that opened it.
 */
function unclosedFlowStart(text: string, message: string, offset: number): number | undefined {
  const open = /^Flow sequence/.test(message) ? '[' : /^Flow mapping/.test(message) ? '{' : undefined;
  if (!open) return undefined;
  const close = open === '[' ? ']' : '}';
  let depth = 0;
  for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === close) depth++;
    else if (ch === open) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'Each key may appear once per mapping: remove or rename the repeated key.';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'Check the indentation and that every [ or { is closed on this or the following lines.';
    case 'TAB_AS_INDENT':
      return 'YAML indentation must use spaces, not tabs.';
    default:
      return 'Fix the YAML syntax at the position shown (quote values that contain ": " or start with a special character).';
  }
}

function join(prefix: string, key: string | number): string {
  return prefix ? `${prefix}.${key}` : String(key);
}

/** Record each mapping key at the key's own position, and each sequence item at the item's start. */
function collectPositions(node: Node | null, prefix: string, out: Map<string, Position>, lc: LineCounter): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : null;
      if (key === null) continue;
      const path = join(prefix, key);
      const at = keyNode?.range?.[0] ?? (pair.value as Node | null)?.range?.[0];
      if (at !== undefined && !out.has(path)) out.set(path, positionAt(lc, at));
      collectPositions(pair.value as Node | null, path, out, lc);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const path = join(prefix, i);
      const at = (item as Node | null)?.range?.[0];
      if (at !== undefined && !out.has(path)) out.set(path, positionAt(lc, at));
      collectPositions(item as Node | null, path, out, lc);
    });
  }
}

/**
 * Where a string value's text starts in the file, and the indentation a block scalar adds to each
 * following line, so that a position inside the string maps back to the file.
 */
export function stringOrigin(source: YamlSource, path: (string | number)[]): { origin: Position; indent: number } | undefined {
  const node = source.doc.getIn(path, true) as Node | undefined;
  if (!isScalar(node) || !node.range) return undefined;
  const start = node.range[0];
  const { text, lineCounter } = source;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    // The value starts on the line after the `|`/`>` header; its indentation is that of the first
    // non-blank content line.
    const headerEnd = text.indexOf('\n', start);
    if (headerEnd < 0) return { origin: positionAt(lineCounter, start), indent: 0 };
    const firstLineStart = headerEnd + 1;
    let indent = 0;
    const contentEnd = node.range[1];
    let cursor = firstLineStart;
    while (cursor < contentEnd) {
      let spaces = 0;
      while (text[cursor + spaces] === ' ') spaces++;
      const ch = text[cursor + spaces];
      if (ch !== '\n' && ch !== '\r' && ch !== undefined) {
        indent = spaces;
        break;
      }
      const next = text.indexOf('\n', cursor);
      if (next < 0) break;
      cursor = next + 1;
    }
    const line = positionAt(lineCounter, firstLineStart).line;
    return { origin: { line, column: indent + 1 }, indent };
  }
  const pos = positionAt(lineCounter, start);
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  const column = pos.column + (quoted ? 1 : 0);
  return { origin: { line: pos.line, column }, indent: column - 1 };
}
