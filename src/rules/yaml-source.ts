/**
 * Parse a YAML file into plain data plus the position of every field, keyed by dotted path
 * (`tests.2.expect`), with the yaml package's `LineCounter`. Syntax errors come back as located
 * diagnostics rather than exceptions so that one bad file never stops a run.
 */
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { limit, limitEnvName } from '../util/limits.js';
import type { Diagnostic } from '../util/diagnostics.js';
import type { Position } from './model.js';
import { fastParseYaml, type FastNode, type FastYamlDocument } from './fast-yaml.js';

export interface YamlSource {
  /** `yaml`'s document; parsed on first use when the fast reader read the file. */
  doc: Document.Parsed;
  data: unknown;
  positions: Map<string, Position>;
  /** Built on first use when the fast reader read the file. */
  lineCounter: LineCounter;
  text: string;
  /** The fast reader's tree (`./fast-yaml.ts`), when the file is in the subset it reads. */
  fast?: FastYamlDocument;
}

export type YamlParse = { ok: true; source: YamlSource } | { ok: false; diagnostics: Diagnostic[] };

export function positionAt(lineCounter: LineCounter, offset: number): Position {
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** Nesting deeper than the limit (checked without recursion, before anything walks the tree). */
function yamlLimitProblem(doc: Document, text: string, file: string, lineCounter: LineCounter): Diagnostic | undefined {
  const max = limit('maxYamlDepth');
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

/** `maxDepth`: the limit in force, when the caller has read it already (a loader reads it once per run). */
export function parseYamlSource(text: string, file: string, maxDepth = limit('maxYamlDepth')): YamlParse {
  const fast = fastParseYaml(text, maxDepth);
  if (fast) return { ok: true, source: fastSource(text, fast) };
  return parseWithYaml(text, file);
}

const YAML_OPTIONS = { prettyErrors: false, uniqueKeys: true } as const;

/**
 * A source read by the fast reader: the same data and positions `yaml` gives (the fast reader
 * only accepts documents `yaml` reads without error or warning), with `yaml`'s document and line
 * counter made on first use (only `--fix` and rare paths ask for them).
 */
function fastSource(text: string, fast: FastYamlDocument): YamlSource {
  const positions = new Map<string, Position>();
  fastPositions(fast.root, '', positions);
  let doc: Document.Parsed | undefined;
  let lineCounter: LineCounter | undefined;
  return {
    data: fast.data,
    positions,
    text,
    fast,
    get doc() {
      return (doc ??= parseDocument(text, { ...YAML_OPTIONS }));
    },
    get lineCounter() {
      if (!lineCounter) {
        lineCounter = new LineCounter();
        lineCounter.addNewLine(0);
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
      }
      return lineCounter;
    },
  };
}

/** `collectPositions` over the fast reader's tree (same paths, same order, first one wins). */
function fastPositions(node: FastNode, prefix: string, out: Map<string, Position>): void {
  if (node.kind === 'map') {
    const { keys, values } = node;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as FastNode & { value: unknown };
      const path = prefix ? `${prefix}.${String(key.value)}` : String(key.value);
      if (!out.has(path)) out.set(path, key.position);
      fastPositions(values[i] as FastNode, path, out);
    }
  } else if (node.kind === 'seq') {
    const { items } = node;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as FastNode;
      const path = prefix ? `${prefix}.${i}` : String(i);
      if (!out.has(path)) out.set(path, item.position);
      fastPositions(item, path, out);
    }
  }
}

/** The fast reader's node at a path of keys and sequence indexes (as `doc.getIn(path, true)`). */
export function fastNodeAt(root: FastNode, path: readonly (string | number)[]): FastNode | undefined {
  let node: FastNode | undefined = root;
  for (const step of path) {
    if (!node) return undefined;
    if (node.kind === 'map') {
      const i: number = node.keys.findIndex((k) => k.value === step);
      node = i >= 0 ? node.values[i] : undefined;
    } else if (node.kind === 'seq') {
      const index = typeof step === 'number' ? step : /^\d+$/.test(step) ? Number(step) : -1;
      node = index >= 0 ? node.items[index] : undefined;
    } else return undefined;
  }
  return node;
}

function parseWithYaml(text: string, file: string): YamlParse {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, ...YAML_OPTIONS });
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
            ? `invalid YAML: nested too deeply to read (the limit is ${limit('maxYamlDepth')} levels)`
            : `invalid YAML: ${firstLine(e.message)}`,
          hint: yamlHint(e.code),
        } satisfies Diagnostic;
      }),
    };
  }
  const tooDeep = yamlLimitProblem(doc, text, file, lineCounter);
  if (tooDeep) return { ok: false, diagnostics: [tooDeep] };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: limit('maxYamlAliases') });
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
          hint: `Write the repeated values out, or raise the limit of ${limit('maxYamlAliases')} alias uses with ${limitEnvName('maxYamlAliases')}.`,
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
  if (source.fast) return fastStringOrigin(source.text, fastNodeAt(source.fast.root, path));
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
    const indent = blockScalarIndent(text, firstLineStart, node.range[1]);
    const line = positionAt(lineCounter, firstLineStart).line;
    return { origin: { line, column: indent + 1 }, indent };
  }
  const pos = positionAt(lineCounter, start);
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  const column = pos.column + (quoted ? 1 : 0);
  return { origin: { line: pos.line, column }, indent: column - 1 };
}

/** A block scalar's indentation: that of its first non-blank line in `text[from, to)` (0 if none). */
function blockScalarIndent(text: string, from: number, to: number): number {
  for (let cursor = from; cursor < to; ) {
    let spaces = 0;
    while (text[cursor + spaces] === ' ') spaces++;
    const ch = text[cursor + spaces];
    if (ch !== '\n' && ch !== '\r' && ch !== undefined) return spaces;
    const next = text.indexOf('\n', cursor);
    if (next < 0) break;
    cursor = next + 1;
  }
  return 0;
}

/** `stringOrigin` over the fast reader's tree. */
function fastStringOrigin(text: string, node: FastNode | undefined): { origin: Position; indent: number } | undefined {
  if (!node || node.kind !== 'scalar') return undefined;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const headerEnd = text.indexOf('\n', node.range[0]);
    if (headerEnd < 0) return { origin: { ...node.position }, indent: 0 };
    // The fast reader reads only block scalars with content: the first non-blank line is inside.
    const indent = blockScalarIndent(text, headerEnd + 1, node.range[1]);
    return { origin: { line: node.position.line + 1, column: indent + 1 }, indent };
  }
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  const column = node.position.column + (quoted ? 1 : 0);
  return { origin: { line: node.position.line, column }, indent: column - 1 };
}
