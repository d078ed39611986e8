/**
 * The EQL conformance suites (test/fixtures/eql, see its README): loading the suites and their data,
 * simulating what Elasticsearch's index would hold (mapping types, aliases, dynamic types, custom
 * date formats, null_value), running every case through ruleproof's engine and comparing the event
 * ids (and join keys) with the expected ones.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import { compileQuery } from '../../src/engine/index.js';
import { lowerEql } from '../../src/engine/eql/lower.js';
import { parseEql } from '../../src/engine/eql/parser.js';
import type { Alert } from '../../src/engine/types.js';
import type { CanonicalEvent, FieldBinder, FieldType, ReplayEvent } from '../../src/events/types.js';
import { getField } from '../../src/events/fields.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/eql/', import.meta.url));

export interface Case {
  name: string;
  query: string;
  /** One list, or several acceptable lists (non-deterministic cases). */
  expected: number[][];
  joinKeys?: string[];
  size?: number;
  maxSamplesPerKey?: number;
  /** Endgame: which case modes the expectation holds in. */
  caseSensitive?: boolean;
  caseInsensitive?: boolean;
}

export interface Dataset {
  events: ReplayEvent[];
  binder: FieldBinder;
  /** Field holding the event id reported by the suites. */
  idField: string;
}

export interface Suite {
  id: string;
  cases: Case[];
  dataset: Dataset;
  dialect?: 'endgame';
}

export interface CaseResult {
  suite: string;
  name: string;
  passed: boolean;
  /** Not passed because the query uses a feature the engine rejects as unsupported. */
  unsupported?: boolean;
  /** Why it failed: the error, or expected vs actual. */
  detail?: string;
}

// ---- TOML ----

function readToml(file: string): Record<string, unknown> {
  let text = readFileSync(file, 'utf8');
  // A bare `null` inside an array (test_extra.toml) is not TOML; the suites mean the string "null".
  text = text.replace(/([[,]\s*)null(\s*[,\]])/g, '$1"null"$2');
  return getStaticTOMLValue(parseTOML(text)) as Record<string, unknown>;
}

function toCases(doc: Record<string, unknown>): Case[] {
  const out: Case[] = [];
  for (const raw of (doc.queries as Array<Record<string, unknown>>) ?? []) {
    const exp = raw.expected_event_ids as unknown[];
    const expected = exp.length && Array.isArray(exp[0]) ? (exp as number[][]) : [exp as number[]];
    const c: Case = {
      name: String(raw.name ?? raw.description ?? raw.query),
      query: String(raw.query),
      expected: expected.map((l) => l.map(Number)),
    };
    if (Array.isArray(raw.join_keys)) c.joinKeys = (raw.join_keys as unknown[]).map((k) => String(k));
    if (typeof raw.size === 'number') c.size = raw.size;
    if (typeof raw.max_samples_per_key === 'number') c.maxSamplesPerKey = raw.max_samples_per_key;
    if (raw.case_sensitive === true) c.caseSensitive = true;
    if (raw.case_insensitive === true) c.caseInsensitive = true;
    out.push(c);
  }
  return out;
}

// ---- data and mappings ----

interface MappedField {
  type: FieldType;
  format?: string;
  nullValue?: unknown;
}

function readJsonWithComments(file: string): unknown {
  const text = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => !/^\s*(\/\/|#)/.test(l))
    .join('\n');
  return JSON.parse(text);
}

/** Flatten a mapping's properties: path → field, plus aliases path → target. */
function readMapping(file: string, fields: Map<string, MappedField>, aliases: Map<string, string>): void {
  const mapping = readJsonWithComments(file) as { properties: Record<string, unknown> };
  const walk = (props: Record<string, unknown>, prefix: string) => {
    for (const [name, def] of Object.entries(props)) {
      const d = def as { type?: string; path?: string; properties?: Record<string, unknown>; format?: string; null_value?: unknown };
      const path = prefix + name;
      if (d.properties) walk(d.properties, path + '.');
      if (!d.type) continue;
      if (d.type === 'alias') aliases.set(path, d.path as string);
      else {
        const type = (d.type.startsWith('[runtime_random_keyword_type]') ? 'keyword' : d.type) as FieldType;
        const f: MappedField = { type };
        if (d.format) f.format = d.format;
        if (d.null_value !== undefined) f.nullValue = d.null_value;
        fields.set(path, f);
      }
    }
  };
  walk(mapping.properties, '');
}

/** Elasticsearch's dynamic mapping for a value never mapped explicitly. */
function dynamicType(v: unknown): FieldType | undefined {
  if (Array.isArray(v)) {
    for (const x of v) {
      const t = dynamicType(x);
      if (t) return t;
    }
    return undefined;
  }
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'long' : 'float';
  if (typeof v === 'string') {
    // date_detection with the default dynamic_date_formats (strict_date_optional_time, yyyy/MM/dd…)
    if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) || /^\d{4}\/\d{2}\/\d{2}( \d{2}:\d{2}:\d{2})?/.test(v)) return 'date';
    return 'text';
  }
  return undefined;
}

function leafPaths(doc: Record<string, unknown>, prefix: string, out: Map<string, unknown>): void {
  for (const [k, v] of Object.entries(doc)) {
    const path = prefix + k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) leafPaths(v as Record<string, unknown>, path + '.', out);
    else if (!out.has(path) || out.get(path) === null) out.set(path, v);
  }
}

/** A date in a custom `format` (the QA mappings use dd-MM-yyyy and yyyy-MM-dd) as epoch millis. */
function parseFormattedDate(value: string, format: string): number | undefined {
  const parts: Record<string, number> = {};
  const re = format.replace(/[-/.]/g, (c) => `\\${c}`).replace(/yyyy|MM|dd/g, (t) => `(?<${t[0]}>\\d{${t.length}})`);
  const m = new RegExp(`^${re}$`).exec(value);
  if (!m?.groups) return undefined;
  for (const [k, v] of Object.entries(m.groups)) parts[k] = Number(v);
  return Date.UTC(parts.y ?? 1970, (parts.M ?? 1) - 1, parts.d ?? 1);
}

export interface DataOptions {
  files: string[];
  mappings: string[];
  idField: string;
  /** Endgame data: `@timestamp` from the Windows FILETIME in `timestamp`. */
  filetime?: boolean;
  /** Order events by time, then load order (instead of the id field): sample suites, whose hits come in index order. */
  loadOrder?: boolean;
}

export function loadDataset(opts: DataOptions): Dataset {
  const fields = new Map<string, MappedField>();
  const aliases = new Map<string, string>();
  for (const m of opts.mappings) readMapping(m, fields, aliases);
  const docs: CanonicalEvent[] = [];
  /** Each file is its own index, with its own mapping (formats differ between them). */
  const perFile: Array<{ docs: CanonicalEvent[]; fields: Map<string, MappedField> }> = [];
  for (const [i, f] of opts.files.entries()) {
    const own = new Map<string, MappedField>();
    const mappingFile = opts.mappings.length === opts.files.length ? opts.mappings[i] : undefined;
    if (mappingFile) readMapping(mappingFile, own, new Map());
    const fileDocs: CanonicalEvent[] = [];
    for (const raw of readJsonWithComments(f) as CanonicalEvent[]) {
      const doc: CanonicalEvent = { ...raw };
      if (opts.filetime && typeof doc.timestamp === 'number') {
        doc['@timestamp'] = Math.floor(doc.timestamp / 10000) - 11644473600000;
      }
      docs.push(doc);
      fileDocs.push(doc);
    }
    perFile.push({ docs: fileDocs, fields: mappingFile ? own : fields });
  }
  // Dynamic mapping for the fields no mapping names.
  const seen = new Map<string, unknown>();
  for (const d of docs) leafPaths(d, '', seen);
  for (const [path, v] of seen) {
    if (fields.has(path)) continue;
    const t = dynamicType(v);
    if (t) fields.set(path, { type: t });
  }
  // What indexing does to values: custom date formats become millis, explicit nulls take null_value.
  for (const file of perFile) {
    for (const [path, f] of file.fields) {
      for (const d of file.docs) {
      if (f.format && !/epoch|strict_date_optional_time/.test(f.format)) {
        const v = getField(d, path);
        if (typeof v === 'string') {
          const ms = parseFormattedDate(v, f.format);
          if (ms !== undefined) d[path] = ms;
        }
      }
      if (f.nullValue !== undefined && Object.prototype.hasOwnProperty.call(d, path) && d[path] === null) d[path] = f.nullValue;
      }
    }
  }
  const binder: FieldBinder = {
    name: 'mapping',
    bind(name) {
      const path = aliases.get(name) ?? name;
      const f = fields.get(path);
      return f ? { path, type: f.type, known: true } : { path, type: 'unknown', known: false };
    },
  };
  const ts = (d: CanonicalEvent) => {
    const v = getField(d, '@timestamp');
    if (typeof v === 'number') return v;
    if (typeof v === 'string') return /^-?\d+$/.test(v) ? Number(v) : Date.parse(v);
    return NaN;
  };
  const time = (t: number) => (Number.isNaN(t) ? -Infinity : t);
  const ordered = docs
    .map((doc, i) => ({ doc, t: ts(doc), id: opts.loadOrder ? i : Number(getField(doc, opts.idField)) }))
    .sort((a, b) => (time(a.t) === time(b.t) ? a.id - b.id : time(a.t) - time(b.t)));
  const events: ReplayEvent[] = ordered.map((o, i) => ({ doc: o.doc, timestamp: o.t, key: `id:${o.id}`, dataset: 'suite', ordinal: i }));
  return { events, binder, idField: opts.idField };
}

// ---- suites ----

export function loadSuites(): Suite[] {
  const es = (f: string) => join(FIXTURES, 'elasticsearch', f);
  const endgameData = loadDataset({
    files: [join(FIXTURES, 'endgame-eql', 'test_data.json')],
    mappings: [es('data/endgame-140.mapping')],
    idField: 'serial_event_id',
    filetime: true,
  });
  const data = (name: string, idField: string, mappings = [es(`data/${name}.mapping`)]) =>
    loadDataset({ files: [es(`data/${name}.data`)], mappings, idField });
  const suites: Suite[] = [
    { id: 'es/test_queries', cases: toCases(readToml(es('test_queries.toml'))), dataset: endgameData },
    { id: 'es/additional_test_queries', cases: toCases(readToml(es('additional_test_queries.toml'))), dataset: endgameData },
    { id: 'es/test_queries_date', cases: toCases(readToml(es('test_queries_date.toml'))), dataset: endgameData },
    { id: 'es/test_extra', cases: toCases(readToml(es('test_extra.toml'))), dataset: data('extra', 'sequence') },
    { id: 'es/test_missing_events', cases: toCases(readToml(es('test_missing_events.toml'))), dataset: data('missing-events', 'sequence') },
    {
      id: 'es/test_sample',
      cases: toCases(readToml(es('test_sample.toml'))),
      dataset: loadDataset({
        files: ['sample1', 'sample2', 'sample3'].map((n) => es(`data/${n}.data`)),
        mappings: ['sample1', 'sample2', 'sample3'].map((n) => es(`data/${n}.mapping`)),
        idField: 'id',
        loadOrder: true,
      }),
    },
    {
      id: 'es/test_sample_multi',
      cases: toCases(readToml(es('test_sample_multi.toml'))),
      dataset: loadDataset({ files: [es('data/sample-multi.data')], mappings: [es('data/sample-multi.mapping')], idField: 'id', loadOrder: true }),
    },
    {
      id: 'endgame/test_queries',
      cases: toCases(readToml(join(FIXTURES, 'endgame-eql', 'test_queries.toml'))).map((c, i) => ({ ...c, name: `#${i + 1}` })),
      dataset: endgameData,
      dialect: 'endgame',
    },
  ];
  return suites;
}

// ---- running ----

/** How a join-key value prints in the suites: dates as ISO in sequences, as millis in samples. */
function keyText(v: unknown, type: FieldType | undefined, sample: boolean): string {
  if (v === null || v === undefined) return 'null';
  if (type === 'date' && typeof v === 'number' && !sample) return new Date(v).toISOString();
  return String(v);
}

function keyTypes(text: string, binder: FieldBinder, endgame: boolean): FieldType[] {
  try {
    const ir = lowerEql(parseEql(text, { endgame }), text, { endgame });
    if (ir.root.kind === 'event') return [];
    const stage = ir.root.stages[0];
    return (stage?.joinKeys ?? []).map((k) => (k.kind === 'field' ? binder.bind(k.name).type : 'unknown'));
  } catch {
    return [];
  }
}

export function runCase(suite: Suite, c: Case): CaseResult {
  const { dataset } = suite;
  const endgame = suite.dialect === 'endgame';
  // Legacy cases marked case_sensitive hold only in the Python engine's case-sensitive mode.
  const dialect = endgame ? (c.caseSensitive ? 'endgame-cs' : 'endgame') : undefined;
  const compiled = compileQuery(c.query, {
    language: 'eql',
    fieldView: endgame ? 'endgame' : 'ecs',
    binder: dataset.binder,
    closedSchema: true,
    ...(dialect ? { dialect } : {}),
    ...(c.maxSamplesPerKey !== undefined ? { maxSamplesPerKey: c.maxSamplesPerKey } : {}),
  });
  if (!compiled.ok) {
    const e = compiled.errors[0];
    return {
      suite: suite.id,
      name: c.name,
      passed: false,
      ...(e?.kind === 'unsupported' ? { unsupported: true } : {}),
      detail: `${e?.kind} error ${e?.line}:${e?.column}: ${e?.message}`,
    };
  }
  const alerts: Alert[] = [];
  let failure: string | undefined;
  try {
    const det = compiled.query.newDetector((a) => alerts.push(a));
    for (const e of dataset.events) det.push(e);
    det.finish();
  } catch (err) {
    failure = `runtime error: ${(err as Error).stack}`;
  }
  if (failure) return { suite: suite.id, name: c.name, passed: false, detail: failure };
  const isSample = /^\s*sample\b/i.test(c.query.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ''));
  // Elasticsearch returns sequences ordered by their last event; the QA runs ask for 50 results.
  let results = alerts;
  if (compiled.query.stageCount > 1 && !isSample) results = [...alerts].sort((a, b) => lastOrdinal(a) - lastOrdinal(b));
  const size = c.size ?? 50;
  const tail = /\|\s*tail\b/i.test(c.query);
  results = tail ? results.slice(Math.max(0, results.length - size)) : results.slice(0, size);
  const ids: number[] = [];
  const keys: string[] = [];
  const types = keyTypes(c.query, dataset.binder, endgame);
  for (const a of results) {
    for (const e of a.stages ?? a.events) ids.push(e ? Number(getField(e.doc, dataset.idField)) : -1);
    if (a.joinKey) a.joinKey.forEach((k, i) => keys.push(keyText(k, types[i], isSample)));
  }
  const idsOk = c.expected.some((exp) => exp.length === ids.length && exp.every((x, i) => x === ids[i]));
  const keysOk = !c.joinKeys || (c.joinKeys.length === keys.length && c.joinKeys.every((k, i) => k === keys[i]));
  if (idsOk && keysOk) return { suite: suite.id, name: c.name, passed: true };
  const detail = !idsOk
    ? `expected ids ${c.expected.map((e) => JSON.stringify(e)).join(' or ')}, got ${JSON.stringify(ids)}`
    : `expected join keys ${JSON.stringify(c.joinKeys)}, got ${JSON.stringify(keys)}`;
  return { suite: suite.id, name: c.name, passed: false, detail };
}

function lastOrdinal(a: Alert): number {
  return a.events[a.events.length - 1]?.ordinal ?? 0;
}

export function runSuites(suites: Suite[] = loadSuites()): Map<string, CaseResult[]> {
  const out = new Map<string, CaseResult[]>();
  for (const s of suites) out.set(s.id, s.cases.map((c) => runCase(s, c)));
  return out;
}
