/**
 * Sigma rules (specification v2.1) into the `Rule` model: plain rules, correlation rules and meta
 * filters. The query text handed to the engine is the rule's own YAML document, followed by the
 * documents it needs: the filters that name it (or `rules: any`) and, for a correlation, the rules it
 * refers to. Those may sit in other files, so every Sigma document loaded is kept in a registry per
 * repository root, and a rule's query text is assembled when it is read (after all files loaded).
 *
 * Load errors are what pySigma rejects (types and values of the standard attributes, missing title,
 * logsource or detection); style issues are lint checks (`src/lint/checks/sigma-*.ts`).
 */
import { threatFromSigmaTags } from './sigma-attack.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { isMap, isScalar, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../util/diagnostics.js';
import { errorAt, fileStem, isHistoricalPath, type FileContext, type FileLoad } from './common.js';
import type { Position, Rule, RuleQuery } from './model.js';
import { fastNodeAt, positionAt, type YamlSource } from './yaml-source.js';
import type { FastYamlDocument } from './fast-yaml.js';
import { toYamlDocument } from './fast-yaml-nodes.js';
import { fastParseYaml } from './fast-yaml.js';
import { limit } from '../util/limits.js';
import { docKind, type SigmaDoc } from '../engine/sigma/document.js';

const STATUS = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];
const LEVEL = ['informational', 'low', 'medium', 'high', 'critical'];
const RELATION = ['derived', 'obsolete', 'merged', 'renamed', 'similar'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type SigmaDocKind = 'rule' | 'correlation' | 'filter';

interface RegisteredDoc {
  kind: SigmaDocKind;
  ids: string[];
  /** The document's YAML text. */
  text: string;
  file: string;
  /** Rule names a filter or correlation refers to (`any` for every rule). */
  refs: string[];
  /**
   * Set when the fast reader read the document and the document is the whole file text from offset
   * 0 with one final line break: reading `text` again gives the same tree, whose nodes then sit at
   * the same offsets in an assembled query text (shifted by where the document starts there), so the
   * compiler can take them instead of parsing (`CompileOptions.parsed`). The tree itself is not
   * kept: reading again when the compiler asks costs less than holding thousands of trees in memory.
   */
  fastReadable?: boolean;
}

/** root → file → documents. */
const REGISTRY = new Map<string, Map<string, RegisteredDoc[]>>();

function registryOf(root: string): Map<string, RegisteredDoc[]> {
  let r = REGISTRY.get(root);
  if (!r) REGISTRY.set(root, (r = new Map()));
  return r;
}

/** Bumped whenever a root's registry changes, so assembled query texts know when to rebuild. */
const REGISTRY_VERSION = new Map<string, number>();

function registerDocs(root: string, file: string, docs: RegisteredDoc[]): void {
  registryOf(root).set(file, docs);
  REGISTRY_VERSION.set(root, (REGISTRY_VERSION.get(root) ?? 0) + 1);
}

interface RegistryIndex {
  version: number;
  /** Every filter, in registry order. */
  filters: RegisteredDoc[];
  /** The first rule or correlation (registry order) with each id or name. */
  byId: Map<string, RegisteredDoc>;
}

const REGISTRY_INDEX = new Map<string, RegistryIndex>();

/** The registry of a root, indexed once per change (a query text is read many times per run). */
function registryIndex(root: string): RegistryIndex {
  const version = REGISTRY_VERSION.get(root) ?? 0;
  const cached = REGISTRY_INDEX.get(root);
  if (cached && cached.version === version) return cached;
  const filters: RegisteredDoc[] = [];
  const byId = new Map<string, RegisteredDoc>();
  for (const docs of registryOf(root).values()) {
    for (const d of docs) {
      if (d.kind === 'filter') filters.push(d);
      else for (const id of d.ids) if (!byId.has(id)) byId.set(id, d);
    }
  }
  const index = { version, filters, byId };
  REGISTRY_INDEX.set(root, index);
  return index;
}

export function sigmaKind(data: Record<string, unknown>): SigmaDocKind | undefined {
  if ('correlation' in data) return 'correlation';
  if ('detection' in data && 'logsource' in data) return 'rule';
  if ('filter' in data && 'logsource' in data) return 'filter';
  return undefined;
}

/** Whether a parsed YAML document is a Sigma rule, correlation or filter. */
export function isSigmaDocument(data: Record<string, unknown>): boolean {
  return sigmaKind(data) !== undefined;
}

function idsOf(data: Record<string, unknown>): string[] {
  return [data.id, data.name].filter((v): v is string => typeof v === 'string' && v !== '');
}

function refsOf(data: Record<string, unknown>, kind: SigmaDocKind): string[] {
  const holder = kind === 'filter' ? data.filter : kind === 'correlation' ? data.correlation : undefined;
  const rules = (holder as Record<string, unknown> | undefined)?.rules;
  if (typeof rules === 'string') return [rules];
  return Array.isArray(rules) ? rules.map(String) : [];
}

/** Load a Sigma file found through the YAML format registry. */
export function loadSigma(source: YamlSource, ctx: FileContext): FileLoad {
  const { text, fast } = source;
  // The format registry has parsed the file already (one document, no errors): reuse that parse
  // when the text needs no normalizing, instead of parsing it a second time.
  if (text.charCodeAt(0) !== 0xfeff && !text.includes('\r')) {
    if (fast) return loadSigmaDocuments([fastSigmaDoc(fast, source)], text, ctx);
    const { doc } = source;
    if (doc.errors.length === 0 && doc.contents !== null) return loadSigmaDocuments([yamlSigmaDoc(doc)], text, ctx);
  }
  return loadSigmaText(text, ctx);
}

/** One YAML document of a Sigma file, read by `yaml` or by the fast reader. */
interface SigmaDocInput {
  start: number;
  end: number;
  /** The document's data; throws when `yaml` cannot resolve its aliases. */
  data(): unknown;
  /** Position of the node at a path (or of its nearest ancestor), `undefined` if none. */
  nodePosition(path: (string | number)[], text: string): Position | undefined;
  /** Position of a top-level key. */
  keyPosition(key: string, text: string): Position | undefined;
  positions(text: string): Map<string, Position>;
  /** The fast reader's tree of the document (absent when `yaml` read it). */
  fast?: FastYamlDocument;
}

function yamlSigmaDoc(doc: Document.Parsed): SigmaDocInput {
  return {
    start: doc.range[0],
    end: doc.range[2],
    data: () => doc.toJS({ maxAliasCount: 100 }),
    nodePosition: (p, text) => {
      const at = (doc.getIn(p, true) as Node | undefined)?.range?.[0];
      return at === undefined ? undefined : lineCol(text, at);
    },
    keyPosition: (key, text) => {
      if (isMap(doc.contents)) {
        for (const pair of doc.contents.items) {
          const k = pair.key as Node | null;
          if (isScalar(k) && String(k.value) === key && k.range) return lineCol(text, k.range[0]);
        }
      }
      return undefined;
    },
    positions: (text) => {
      const positions = new Map<string, Position>();
      collectPositions(doc.contents as Node | null, '', positions, text);
      return positions;
    },
  };
}

function fastSigmaDoc(fast: FastYamlDocument, source: YamlSource): SigmaDocInput {
  return {
    start: fast.range[0],
    end: fast.range[2],
    data: () => fast.data,
    nodePosition: (p) => {
      const node = fastNodeAt(fast.root, p);
      return node ? { ...node.position } : undefined;
    },
    keyPosition: (key) => {
      const k = fast.root.keys.find((n) => n.value === key);
      return k ? { ...k.position } : undefined;
    },
    // The same walk as `collectPositions` over the same document: the source's own map.
    positions: () => source.positions,
    fast,
  };
}

/** Load a Sigma file; it may hold several documents (a correlation with its rules, filters). */
export function loadSigmaText(raw: string, ctx: FileContext): FileLoad {
  // Line breaks become \n only: positions are lines and columns, which this does not move.
  const text = (raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw).replace(/\r\n?/g, '\n');
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  const diagnostics: Diagnostic[] = [];
  const parsed: SigmaDocInput[] = [];
  for (const doc of list) {
    for (const e of doc.errors) {
      diagnostics.push(errorAt(ctx.file, lineCol(text, e.pos[0]), 'load/yaml-syntax', `invalid YAML: ${e.message.split('\n')[0]}`, 'Fix the YAML syntax at the position shown.'));
    }
    if (doc.contents !== null) parsed.push(yamlSigmaDoc(doc));
  }
  if (diagnostics.length) return { rules: [], diagnostics, failed: true };
  return loadSigmaDocuments(parsed, text, ctx);
}

/** Line starts of the text last asked about: a file's positions are all looked up in one text. */
let lineIndex: { text: string; starts: number[] } | undefined;

function lineCol(text: string, offset: number): Position {
  if (lineIndex?.text !== text) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    lineIndex = { text, starts };
  }
  const { starts } = lineIndex;
  const at = Math.max(0, Math.min(offset, text.length));
  // The last line start at or before the offset (binary search).
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= at) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: at - (starts[lo] as number) + 1 };
}

function loadSigmaDocuments(docs: SigmaDocInput[], text: string, ctx: FileContext): FileLoad {
  const rules: Rule[] = [];
  const diagnostics: Diagnostic[] = [];
  const registered: RegisteredDoc[] = [];
  let failed = false;
  for (const input of docs) {
    const { start, end } = input;
    let data: unknown;
    try {
      data = input.data();
    } catch (err) {
      // aliases are resolved here: an alias whose anchor is missing, or too many alias uses
      const message = (err as Error).message.split('\n')[0] ?? '';
      const name = /: (\S+)$/.exec(message)?.[1];
      const alias = name ? text.indexOf(`*${name}`, start) : -1;
      diagnostics.push(errorAt(ctx.file, lineCol(text, alias >= 0 ? alias : start), 'load/yaml-syntax', `invalid YAML: ${message}`, 'Define each anchor (&name) before its aliases (*name), and keep aliases few.'));
      failed = true;
      continue;
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      diagnostics.push(errorAt(ctx.file, lineCol(text, start), 'load/schema', 'a Sigma document must be a mapping', 'Write title, logsource, detection, …'));
      failed = true;
      continue;
    }
    const record = data as Record<string, unknown>;
    const kind = sigmaKind(record);
    const docText = text.slice(start, end);
    const origin = lineCol(text, start);
    const pos = (p: (string | number)[]): Position => {
      const at = input.nodePosition(p, text);
      if (at === undefined) return p.length > 1 ? pos(p.slice(0, -1)) : origin;
      return at;
    };
    const keyPos = (key: string): Position => input.keyPosition(key, text) ?? origin;
    if (!kind) {
      diagnostics.push(errorAt(ctx.file, origin, 'load/schema', 'not a Sigma rule, correlation or filter', 'A rule has logsource and detection, a correlation has correlation, a filter has logsource and filter.'));
      failed = true;
      continue;
    }
    const problems = validateSigma(record, kind, ctx.file, keyPos, pos);
    if (problems.length) {
      diagnostics.push(...problems);
      failed = true;
      continue;
    }
    const reg: RegisteredDoc = { kind, ids: idsOf(record), text: docText, file: ctx.file, refs: refsOf(record, kind) };
    if (input.fast && input.fast.root.range[0] === 0 && /[^\n]\n$/.test(docText)) reg.fastReadable = true;
    registered.push(reg);
    if (kind === 'filter') continue;
    rules.push(toRule(record, reg, origin, input.positions(text), ctx));
  }
  registerDocs(ctx.root, ctx.file, registered);
  if (failed) completeFiles(ctx.root).delete(ctx.file);
  else completeFiles(ctx.root).add(ctx.file);
  return { rules, diagnostics, failed };
}

function validateSigma(data: Record<string, unknown>, kind: SigmaDocKind, file: string, keyPos: (k: string) => Position, pos: (p: (string | number)[]) => Position): Diagnostic[] {
  const out: Diagnostic[] = [];
  const fail = (key: string, message: string, hint: string) => out.push(errorAt(file, data[key] === undefined ? keyPos('title') : pos([key]), 'load/schema', message, hint));
  const str = (key: string) => data[key] === undefined || (typeof data[key] === 'string' && (data[key] as string).trim() !== '');
  const strList = (key: string) => data[key] === undefined || (Array.isArray(data[key]) && (data[key] as unknown[]).every((v) => typeof v === 'string'));
  if (typeof data.title !== 'string' || !data.title.trim()) fail('title', 'a Sigma rule needs a title', 'Add "title: …" (at most 256 characters).');
  else if (data.title.length > 256) fail('title', `the title is ${data.title.length} characters long; Sigma allows 256`, 'Shorten the title.');
  for (const key of ['id', 'name', 'description', 'author', 'license', 'taxonomy']) {
    if (!str(key)) fail(key, `"${key}" must be a non-empty string`, `Write ${key} as a string.`);
  }
  if (typeof data.id === 'string' && !/^\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$/.test(data.id)) {
    fail('id', `"${data.id}" is not a UUID`, 'Sigma rule ids are UUIDs (version 4 recommended): generate one with uuidgen.');
  }
  for (const key of ['references', 'falsepositives', 'fields', 'tags', 'scope']) {
    if (!strList(key)) fail(key, `"${key}" must be a list of strings`, `Write ${key} as a YAML list of strings.`);
  }
  if (data.status !== undefined && !STATUS.includes(String(data.status))) fail('status', `unknown status "${String(data.status)}"`, `Sigma statuses: ${STATUS.join(', ')}.`);
  if (data.level !== undefined && !LEVEL.includes(String(data.level))) fail('level', `unknown level "${String(data.level)}"`, `Sigma levels: ${LEVEL.join(', ')}.`);
  for (const key of ['date', 'modified']) {
    if (data[key] !== undefined && !(typeof data[key] === 'string' && DATE.test(data[key] as string))) {
      fail(key, `"${key}" must be a date written YYYY-MM-DD`, 'Sigma 2 dates are YYYY-MM-DD (the v1 form YYYY/MM/DD is gone).');
    }
  }
  if (data.related !== undefined) {
    const ok = Array.isArray(data.related) && data.related.every((r) => typeof r === 'object' && r !== null && typeof (r as Record<string, unknown>).id === 'string' && RELATION.includes(String((r as Record<string, unknown>).type)));
    if (!ok) fail('related', '"related" must be a list of {id, type} with type one of ' + RELATION.join(', '), 'Example: related: [{id: <uuid>, type: derived}].');
  }
  if (kind !== 'correlation') {
    const ls = data.logsource;
    if (typeof ls !== 'object' || ls === null || Array.isArray(ls)) fail('logsource', '"logsource" must be a map (product, category, service)', 'Example: logsource: {product: windows, category: process_creation}.');
  }
  if (kind === 'rule') {
    const det = data.detection;
    if (typeof det !== 'object' || det === null || Array.isArray(det)) fail('detection', '"detection" must be a map of search identifiers and a condition', 'Add search identifiers and "condition: …".');
    else if (!('condition' in det)) fail('detection', 'the detection has no condition', 'Add "condition: selection" (or the expression over your identifiers).');
  }
  if (kind === 'filter') {
    const f = data.filter as Record<string, unknown> | undefined;
    if (typeof f !== 'object' || f === null || !('condition' in f)) fail('filter', 'a filter needs "filter:" with rules, search identifiers and a condition', 'Example: filter: {rules: [<rule id>], selection: {...}, condition: not selection}.');
    else if (f.rules === undefined) fail('filter', 'a filter needs "rules": the rules it applies to (ids, names, or any)', 'Add rules: [<rule id>] or rules: any.');
  }
  if (kind === 'correlation') {
    const c = data.correlation as Record<string, unknown> | undefined;
    if (typeof c !== 'object' || c === null) fail('correlation', '"correlation" must be a map', 'Write type, rules, timespan, group-by and condition.');
    else {
      if (typeof c.type !== 'string') fail('correlation', 'a correlation needs a type', 'event_count, value_count, temporal or temporal_ordered.');
      if (c.rules === undefined) fail('correlation', 'a correlation needs "rules"', 'List the ids or names of the rules it correlates.');
      if (c.timespan === undefined) fail('correlation', 'a correlation needs a timespan', 'For example timespan: 10m.');
    }
  }
  return out;
}

function toRule(data: Record<string, unknown>, reg: RegisteredDoc, origin: Position, positions: Map<string, Position>, ctx: FileContext): Rule {
  const { kind } = reg;
  const id = (typeof data.id === 'string' && data.id) || (typeof data.name === 'string' && data.name) || fileStem(ctx.absPath);
  const root = ctx.root;
  const ids = idsOf(data);
  const refs = refsOf(data, kind);
  const query = {
    language: 'sigma',
    fieldView: 'sigma',
    origin,
    indent: 0,
  } as Omit<RuleQuery, 'text'> as RuleQuery;
  // Filters and referenced rules may live in files loaded after this one: assemble on read.
  // Assembled once per registry change: lint and replay read the text many times.
  let assembled: ({ version: number } & AssembledQuery) | undefined;
  const current = (): AssembledQuery => {
    const version = REGISTRY_VERSION.get(root) ?? 0;
    if (!assembled || assembled.version !== version) assembled = { version, ...assembleQueryText(root, reg, kind, ids, refs, ctx.absPath) };
    return assembled;
  };
  Object.defineProperty(query, 'text', { enumerable: true, configurable: true, get: () => current().text });
  // Not enumerable: the parse is for the compiler, not part of the rule's data.
  Object.defineProperty(query, 'parsed', {
    enumerable: false,
    configurable: true,
    value: () => {
      const { text, docs } = current();
      const value = compilerDocs(docs);
      return value ? { text, value } : undefined;
    },
  });
  const author = typeof data.author === 'string' ? data.author.split(',').map((a) => a.trim()).filter(Boolean) : [];
  const rule: Rule = {
    id,
    name: typeof data.title === 'string' ? data.title : id,
    version: ctx.locks.versionFor(id, ctx.absPath)?.version ?? null,
    format: 'sigma',
    query,
    threat: Array.isArray(data.tags) ? threatFromSigmaTags(data.tags) : [],
    tags: Array.isArray(data.tags) ? (data.tags as string[]) : [],
    references: Array.isArray(data.references) ? (data.references as string[]) : [],
    falsePositives: Array.isArray(data.falsepositives) ? (data.falsepositives as string[]) : [],
    author,
    tests: [],
    historical: isHistoricalPath(ctx.file),
    source: { file: ctx.file, absPath: ctx.absPath, positions },
    raw: data,
  };
  if (typeof data.description === 'string') rule.description = data.description;
  if (typeof data.level === 'string') rule.severity = data.level;
  if (typeof data.status === 'string') rule.status = data.status;
  if (typeof data.license === 'string') rule.license = data.license;
  if (typeof data.date === 'string') rule.created = data.date;
  if (typeof data.modified === 'string') rule.updated = data.modified;
  return rule;
}

function collectPositions(node: Node | null, prefix: string, out: Map<string, Position>, text: string): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = pair.key as Node | null;
      if (!isScalar(k)) continue;
      const p = prefix ? `${prefix}.${String(k.value)}` : String(k.value);
      if (k.range && !out.has(p)) out.set(p, lineCol(text, k.range[0]));
      collectPositions(pair.value as Node | null, p, out, text);
    }
  } else if (node && 'items' in node && Array.isArray((node as { items: unknown[] }).items)) {
    (node as { items: Array<Node | null> }).items.forEach((item, i) => {
      const p = prefix ? `${prefix}.${i}` : String(i);
      if (item?.range && !out.has(p)) out.set(p, lineCol(text, item.range[0]));
      collectPositions(item, p, out, text);
    });
  }
}

/**
 * The rule's document, then every filter that names it, then (correlations) the rules it refers to,
 * transitively. A referenced rule not loaded is looked for under the correlation's own folder.
 */
interface AssembledQuery {
  text: string;
  /** The documents joined, in order. */
  docs: RegisteredDoc[];
}

/**
 * The documents of an assembled query text as the Sigma compiler's `parseSigmaText` would give
 * them, built from the fast reader's trees, or `undefined` when one of them has none. In the text
 * each document is followed by `---\n`, and a document after the first starts at that marker.
 */
function compilerDocs(docs: RegisteredDoc[]): SigmaDoc[] | undefined {
  if (!docs.every((d) => d.fastReadable)) return undefined;
  const out: SigmaDoc[] = [];
  let offset = 0;
  for (const [i, d] of docs.entries()) {
    const fast = fastParseYaml(d.text, limit('maxYamlDepth'));
    if (!fast) return undefined;
    const start = offset;
    const shift = i === 0 ? 0 : offset + 4;
    out.push({ doc: toYamlDocument(fast, shift, start), data: fast.data, kind: docKind(fast.data), start });
    offset = shift + d.text.length;
  }
  return out;
}

function assembleQueryText(root: string, own: RegisteredDoc, kind: SigmaDocKind, ids: string[], refs: string[], absPath: string): AssembledQuery {
  const index = registryIndex(root);
  const parts = [own.text];
  const docs = [own];
  const included = new Set<RegisteredDoc>();
  const addFilters = (ruleIds: string[]) => {
    for (const d of index.filters) {
      if (included.has(d)) continue;
      if (d.refs.includes('any') || d.refs.some((r) => ruleIds.includes(r))) {
        included.add(d);
        parts.push(d.text);
        docs.push(d);
      }
    }
  };
  addFilters(ids);
  if (kind === 'correlation') {
    const queue = [...refs];
    const seen = new Set<string>();
    while (queue.length) {
      const ref = queue.shift() as string;
      if (seen.has(ref)) continue;
      seen.add(ref);
      let target = index.byId.get(ref);
      if (!target) target = findOnDisk(root, absPath, ref);
      if (!target || included.has(target)) continue;
      included.add(target);
      parts.push(target.text);
      docs.push(target);
      addFilters(target.ids);
      if (target.kind === 'correlation') queue.push(...target.refs);
    }
  }
  return { text: parts.map(withOneFinalNewline).join('---\n'), docs };
}

/** The text with its trailing line breaks replaced by one (as `replace(/\n*$/, '\n')`, without a regex scan of every position). */
function withOneFinalNewline(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 10) end--;
  return end === text.length ? text + '\n' : end === text.length - 1 ? text : text.slice(0, end) + '\n';
}

const diskCache = new Map<string, RegisteredDoc | null>();

/**
 * Per root, the files loaded with every document registered. Looking on disk for a rule the
 * registry lacks can skip them: a rule of theirs with that id or name would be in the registry.
 */
const COMPLETE_FILES = new Map<string, Set<string>>();

function completeFiles(root: string): Set<string> {
  let set = COMPLETE_FILES.get(root);
  if (!set) COMPLETE_FILES.set(root, (set = new Set()));
  return set;
}

/** A referenced rule that was not loaded: search the YAML files under the correlation's folder. */
function findOnDisk(root: string, absPath: string, ref: string): RegisteredDoc | undefined {
  const dir = path.dirname(absPath);
  const key = `${dir}\u0000${ref}`;
  const cached = diskCache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  let found: RegisteredDoc | undefined;
  const complete = completeFiles(root);
  for (const f of fg.sync('**/*.{yml,yaml}', { cwd: dir, absolute: true, ignore: ['**/*.tests.yml', '**/*.tests.yaml', '**/node_modules/**'] }).sort()) {
    if (complete.has(path.relative(root, f).split(path.sep).join('/'))) continue;
    let text: string;
    try {
      text = readFileSync(f, 'utf8').replace(/\r\n?/g, '\n');
    } catch {
      continue;
    }
    if (!text.includes(ref)) continue;
    const docs = parseAllDocuments(text, { uniqueKeys: true });
    for (const doc of Array.isArray(docs) ? docs : []) {
      if (doc.errors.length || doc.contents === null) continue;
      let data: Record<string, unknown>;
      try {
        data = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
      } catch {
        continue; // an unresolved or excessive alias: not a usable document
      }
      if (typeof data !== 'object' || data === null) continue;
      const kind = sigmaKind(data);
      if (!kind || kind === 'filter' || !idsOf(data).includes(ref)) continue;
      found = { kind, ids: idsOf(data), text: text.slice(doc.range[0], doc.range[2]), file: path.relative(root, f).split(path.sep).join('/'), refs: refsOf(data, kind) };
      break;
    }
    if (found) break;
  }
  diskCache.set(key, found ?? null);
  return found;
}

/** Positions helper for tests and lint: line/column of an offset. */
export { positionAt };
