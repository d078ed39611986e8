/**
 * Elastic detection-rules TOML (`[metadata]`, `[rule]`, `[[rule.threat]]` with nested techniques
 * and sub-techniques) into the `Rule` model. toml-eslint-parser gives every key and value a
 * location, so findings point at the line that needs changing.
 */
import { getStaticTOMLValue, parseTOML, type AST } from 'toml-eslint-parser';
import type { Diagnostic } from '../util/diagnostics.js';
import { errorAt, failure, isHistoricalPath, isoDate, stringList, type FileContext, type FileLoad } from './common.js';
import type { AttackRef, Position, QueryLanguage, Rule, ThreatMapping } from './model.js';
import { elasticKqlDialect } from '../engine/kql/elastic-rule.js';
import { fastParseToml } from './fast-toml.js';

const LANGUAGES: Record<string, QueryLanguage> = { eql: 'eql', kuery: 'kql', kql: 'kql', lucene: 'lucene', esql: 'esql' };
/** The language a rule type implies when `language` is not written. */
const TYPE_LANGUAGE: Record<string, QueryLanguage> = {
  eql: 'eql',
  esql: 'esql',
  query: 'kql',
  saved_query: 'kql',
  threshold: 'kql',
  threat_match: 'kql',
  new_terms: 'kql',
};

interface TomlSource {
  positions: Map<string, Position>;
  values: Map<string, AST.TOMLContentNode>;
}

/** Where a string value starts, as `queryOrigin` needs it (`column` 0-based, `start` the opening quote's offset). */
interface StringStart {
  line: number;
  column: number;
  start: number;
  multiline: boolean;
}

/** The file's data, key positions, and where its query string starts: from the fast reader, else from the parser. */
function readToml(text: string): { data: Record<string, unknown>; positions: Map<string, Position>; query: StringStart | undefined } {
  const fast = fastParseToml(text);
  if (fast) return { data: fast.data, positions: fast.positions, query: fast.strings.get('rule.query') };
  const ast = parseTOML(text);
  const source = collect(ast);
  const node = source.values.get('rule.query');
  const query = node && node.type === 'TOMLValue' && node.kind === 'string' ? { line: node.loc.start.line, column: node.loc.start.column, start: node.range[0], multiline: node.multiline } : undefined;
  return { data: getStaticTOMLValue(ast) as Record<string, unknown>, positions: source.positions, query };
}

export function loadElasticToml(text: string, ctx: FileContext): FileLoad {
  const { file } = ctx;
  let read: ReturnType<typeof readToml>;
  try {
    read = readToml(text);
  } catch (e) {
    return failure([syntaxDiagnostic(e, text, file)]);
  }
  const { data, positions } = read;
  const problems: Diagnostic[] = [];
  const at = (path: string) => positions.get(path) ?? closestPosition(positions, path);
  const fail = (path: string, message: string, hint = 'Elastic detection-rules TOML: see https://github.com/elastic/detection-rules for the rule schema.') =>
    problems.push(errorAt(file, at(path), 'load/schema', message, hint));

  const rule = data.rule as Record<string, unknown> | undefined;
  const metadata = data.metadata as Record<string, unknown> | undefined;
  if (!isTable(rule)) {
    return failure([errorAt(file, { line: 1, column: 1 }, 'load/schema', 'no [rule] table: this is not an Elastic detection rule', 'An Elastic rule has a [metadata] and a [rule] table.')]);
  }
  if (metadata !== undefined && !isTable(metadata)) fail('metadata', '"metadata" must be a table');

  // Fields the model reads must have the type it expects; everything else is left to lint.
  const requireString = (key: string) => {
    if (typeof rule[key] !== 'string' || !(rule[key] as string).trim()) {
      if (rule[key] === undefined) fail('rule', `missing required key "${key}" in [rule]`, `Add ${key} = "..." to the [rule] table.`);
      else fail(`rule.${key}`, `"rule.${key}" must be a non-empty string`, 'Write it as a quoted string.');
    }
  };
  const optional = (key: string, check: (v: unknown) => boolean, what: string) => {
    if (rule[key] !== undefined && !check(rule[key])) fail(`rule.${key}`, `"rule.${key}" must be ${what}`, `Write "${key}" as ${what}.`);
  };
  requireString('rule_id');
  requireString('name');
  requireString('type');
  const type = typeof rule.type === 'string' ? rule.type : '';
  if (type === 'machine_learning') {
    if (problems.length) return failure(problems);
    return {
      rules: [],
      failed: false,
      diagnostics: [
        {
          ...errorAt(
            file,
            at('rule.type'),
            'load/unsupported-rule-type',
            'machine learning rules have no query that ruleproof can replay; the rule is skipped',
            'Nothing to fix in the rule; move it out of the rule paths to silence this warning.',
          ),
          severity: 'warning',
        },
      ],
    };
  }
  requireString('query');
  const isStrings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  optional('language', (v) => typeof v === 'string', 'a string');
  optional('severity', (v) => typeof v === 'string', 'a string');
  optional('risk_score', (v) => typeof v === 'number' && Number.isInteger(v), 'an integer');
  optional('version', (v) => typeof v === 'number' && Number.isInteger(v) && v > 0, 'a positive integer');
  optional('description', (v) => typeof v === 'string', 'a string');
  optional('license', (v) => typeof v === 'string', 'a string');
  for (const key of ['tags', 'references', 'false_positives', 'author']) optional(key, isStrings, 'a list of strings');
  optional('threat', (v) => Array.isArray(v) && v.every(isTable), 'a list of [[rule.threat]] tables');

  let language: QueryLanguage | undefined;
  if (typeof rule.language === 'string') {
    language = LANGUAGES[rule.language];
    if (!language) fail('rule.language', `unknown query language "${rule.language}"`, `Elastic rule languages: ${Object.keys(LANGUAGES).filter((l) => l !== 'kql').join(', ')}.`);
  } else if (type) {
    language = TYPE_LANGUAGE[type];
    if (!language) fail('rule.type', `unknown rule type "${type}"`, `Elastic rule types: ${[...Object.keys(TYPE_LANGUAGE), 'machine_learning'].join(', ')}.`);
  }
  const threat = readThreat(rule.threat, fail);
  if (problems.length || !language) return failure(problems);

  const ruleId = rule.rule_id as string;
  let version: number | null = typeof rule.version === 'number' ? rule.version : null;
  if (version === null) version = ctx.locks.versionFor(ruleId, ctx.absPath)?.version ?? null;
  const queryText = (rule.query as string).replace(/\r\n/g, '\n');
  const where = queryOrigin(read.query, text);

  const model: Rule = {
    id: ruleId,
    name: rule.name as string,
    version,
    format: 'elastic-toml',
    query: { language, fieldView: 'ecs', text: queryText, origin: where.origin, indent: where.indent },
    threat,
    tags: stringList(rule.tags),
    references: stringList(rule.references),
    falsePositives: stringList(rule.false_positives),
    author: stringList(rule.author),
    tests: [],
    historical: isHistoricalPath(file),
    source: { file, absPath: ctx.absPath, positions },
    raw: data,
  };
  if (language === 'kql') {
    // threshold/new_terms parameters, the look-back window and exception items travel to the engine in the dialect.
    const dialect = elasticKqlDialect(rule, ruleId, ctx.absPath, ctx.root);
    if (dialect) model.query.dialect = dialect;
  }
  if (typeof rule.description === 'string') model.description = rule.description;
  if (typeof rule.severity === 'string') model.severity = rule.severity;
  if (typeof rule.risk_score === 'number') model.riskScore = rule.risk_score;
  if (typeof rule.license === 'string') model.license = rule.license;
  if (isTable(metadata)) {
    if (typeof metadata.maturity === 'string') model.status = metadata.maturity;
    const created = isoDate(metadata.creation_date);
    const updated = isoDate(metadata.updated_date);
    if (created) model.created = created;
    if (updated) model.updated = updated;
  }
  return { rules: [model], diagnostics: [], failed: false };
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Flatten `[[rule.threat]]` → techniques → sub-techniques into one entry per leaf. */
function readThreat(value: unknown, fail: (path: string, message: string, hint?: string) => void): ThreatMapping[] {
  if (!Array.isArray(value)) return [];
  const out: ThreatMapping[] = [];
  const ref = (raw: unknown, path: string): AttackRef | undefined => {
    if (!isTable(raw)) {
      fail(path, `"${path}" must be a table with id and name`);
      return undefined;
    }
    for (const key of ['id', 'name']) {
      if (typeof raw[key] !== 'string') fail(raw[key] === undefined ? path : `${path}.${key}`, `"${path}.${key}" must be a string`);
    }
    if (typeof raw.id !== 'string' || typeof raw.name !== 'string') return undefined;
    return { id: raw.id, name: raw.name, ...(typeof raw.reference === 'string' ? { reference: raw.reference } : {}), path };
  };
  const list = (raw: unknown, path: string): unknown[] => {
    if (raw === undefined) return [];
    if (Array.isArray(raw)) return raw;
    fail(path, `"${path}" must be a list of tables ([[${path.replace(/\.\d+\./g, '.')}]])`);
    return [];
  };
  value.forEach((entry: Record<string, unknown>, i) => {
    const base = `rule.threat.${i}`;
    const framework = typeof entry.framework === 'string' ? entry.framework : undefined;
    const tactic = entry.tactic === undefined ? undefined : ref(entry.tactic, `${base}.tactic`);
    if (entry.tactic === undefined) fail(base, `[[rule.threat]] entry ${i + 1} has no [rule.threat.tactic]`, 'Each threat entry names its tactic.');
    const head: ThreatMapping = { ...(framework ? { framework } : {}), ...(tactic ? { tactic } : {}) };
    const techniques = list(entry.technique, `${base}.technique`);
    if (!techniques.length) out.push(head);
    techniques.forEach((rawTechnique, j) => {
      const techniquePath = `${base}.technique.${j}`;
      const technique = ref(rawTechnique, techniquePath);
      const subs = isTable(rawTechnique) ? list(rawTechnique.subtechnique, `${techniquePath}.subtechnique`) : [];
      if (!subs.length) out.push({ ...head, ...(technique ? { technique } : {}) });
      subs.forEach((rawSub, k) => {
        const subtechnique = ref(rawSub, `${techniquePath}.subtechnique.${k}`);
        out.push({ ...head, ...(technique ? { technique } : {}), ...(subtechnique ? { subtechnique } : {}) });
      });
    });
  });
  return out;
}

function closestPosition(positions: Map<string, Position>, path: string): Position {
  let key = path;
  for (;;) {
    const pos = positions.get(key);
    if (pos) return pos;
    const cut = key.lastIndexOf('.');
    if (cut < 0) return { line: 1, column: 1 };
    key = key.slice(0, cut);
  }
}

function collect(ast: AST.TOMLProgram): TomlSource {
  const positions = new Map<string, Position>();
  const values = new Map<string, AST.TOMLContentNode>();
  const mark = (path: (string | number)[], loc: AST.SourceLocation) => {
    // Every prefix gets the first position it was seen at, so `rule.threat` points at the first header.
    for (let n = 1; n <= path.length; n++) {
      const key = path.slice(0, n).join('.');
      if (!positions.has(key)) positions.set(key, { line: loc.start.line, column: loc.start.column + 1 });
    }
  };
  const visitValue = (node: AST.TOMLContentNode, path: (string | number)[]) => {
    values.set(path.join('.'), node);
    if (node.type === 'TOMLArray') {
      node.elements.forEach((element, i) => {
        mark([...path, i], element.loc);
        visitValue(element, [...path, i]);
      });
    } else if (node.type === 'TOMLInlineTable') {
      for (const kv of node.body) visitKeyValue(kv, path);
    }
  };
  const visitKeyValue = (kv: AST.TOMLKeyValue, prefix: (string | number)[]) => {
    const path = [...prefix, ...kv.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value))];
    mark(path, kv.key.loc);
    visitValue(kv.value, path);
  };
  const top = ast.body[0];
  for (const node of top.body) {
    if (node.type === 'TOMLKeyValue') visitKeyValue(node, []);
    else {
      mark(node.resolvedKey, node.loc);
      for (const kv of node.body) visitKeyValue(kv, node.resolvedKey);
    }
  }
  return { positions, values };
}

/** Where the query text starts in the file: multi-line strings drop the newline after the opening quotes. */
function queryOrigin(node: StringStart | undefined, text: string): { origin: Position; indent: number } {
  if (!node) return { origin: { line: 1, column: 1 }, indent: 0 };
  const start = { line: node.line, column: node.column + 1 };
  if (!node.multiline) return { origin: { line: start.line, column: start.column + 1 }, indent: 0 };
  const afterQuotes = node.start + 3;
  if (text.startsWith('\n', afterQuotes) || text.startsWith('\r\n', afterQuotes)) {
    return { origin: { line: start.line + 1, column: 1 }, indent: 0 };
  }
  return { origin: { line: start.line, column: start.column + 3 }, indent: 0 };
}

function syntaxDiagnostic(e: unknown, text: string, file: string): Diagnostic {
  const err = e as { message?: string; lineNumber?: number; column?: number };
  let line = typeof err.lineNumber === 'number' ? err.lineNumber : 1;
  let column = typeof err.column === 'number' ? err.column + 1 : 1;
  let message = `invalid TOML: ${err.message ?? String(e)}`;
  let hint = 'Fix the TOML syntax at the position shown.';
  // An unclosed table header is reported by the parser on the next line; point at the header itself.
  const lines = text.split(/\r?\n/);
  for (let n = line - 1; n >= 1 && n >= line - 2; n--) {
    const candidate = lines[n - 1] ?? '';
    if (!candidate.trim()) continue;
    if (/^\[\[?\s*[A-Za-z0-9_."' -]+$/.test(candidate.trimEnd())) {
      line = n;
      column = candidate.length + 1;
      message = `invalid TOML: the table header ${candidate.trim()} is not closed`;
      hint = `Close the header with ${candidate.trim().startsWith('[[') ? ']]' : ']'}.`;
    }
    break;
  }
  return errorAt(file, { line, column }, 'load/toml-syntax', message, hint);
}
