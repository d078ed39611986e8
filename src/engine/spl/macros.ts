/**
 * Splunk search-macro expansion, as Splunk does it before parsing a search: every `` `name` `` or
 * `` `name(arg1, arg2)` `` outside a quoted string is replaced by the definition of the macro with
 * that name and number of arguments (`name(2)` in macros.conf), each `$arg$` in the definition
 * replaced by the argument's text, and the result expanded again (macros nest).
 *
 * The expansion keeps a source map: for every character of the expanded text, the offset in the
 * text as written it came from (an expanded macro maps to its invocation), so that errors and
 * field positions in the expanded search point at the rule file.
 */

export interface MacroDefinition {
  name: string;
  /** Argument names, in order (empty for a macro without arguments). */
  args: string[];
  definition: string;
  /** Where it is defined, for messages (`macros/process_powershell.yml`, `built-in`). */
  origin: string;
}

/** Macros by `name` (no arguments) or `name(N)`, as macros.conf keys them. */
export type MacroTable = ReadonlyMap<string, MacroDefinition>;

export function macroKey(name: string, argCount: number): string {
  return argCount ? `${name}(${argCount})` : name;
}

export interface MacroExpansion {
  text: string;
  /** `offsets[i]`: offset in the text as written of expanded character `i` (length text.length + 1). */
  offsets: number[];
  /** Macros used, by key, in first-use order. */
  used: string[];
}

export class MacroError extends Error {
  constructor(
    message: string,
    /** Offset in the text as written. */
    public readonly offset: number,
    public readonly length: number,
  ) {
    super(message);
  }
}

/** A macro the table does not define: a built-in fallback (e.g. `*_filter` → `search *`), or undefined. */
export type MacroFallback = (name: string, argCount: number) => MacroDefinition | undefined;

const MAX_DEPTH = 50;
/**
 * Macros that each call others several times grow exponentially (`a` → `b b`, `b` → `c c`, …):
 * a hostile macro file must not hang a run, so expansion stops past these bounds.
 */
export const MAX_MACRO_EXPANSIONS = 10_000;
export const MAX_EXPANDED_LENGTH = 1_000_000;

/** Expand every macro of `text`. Throws MacroError for an unknown macro, a bad call or a cycle. */
export function expandMacros(text: string, table: MacroTable, fallback?: MacroFallback): MacroExpansion {
  const used: string[] = [];
  const out: string[] = [];
  const offsets: number[] = [];
  let expansions = 0;
  const emit = (s: string, from: number | ((i: number) => number)) => {
    if (offsets.length + s.length > MAX_EXPANDED_LENGTH) {
      throw new MacroError(`the query grows past ${MAX_EXPANDED_LENGTH} characters as its macros expand`, typeof from === 'number' ? from : from(0), 1);
    }
    out.push(s);
    for (let i = 0; i < s.length; i++) offsets.push(typeof from === 'number' ? from : from(i));
  };

  const expandInto = (src: string, mapOffset: (i: number) => number, stack: string[]): void => {
    let i = 0;
    let plainStart = 0;
    const flushPlain = (end: number) => {
      if (end > plainStart) {
        const start = plainStart;
        emit(src.slice(start, end), (k) => mapOffset(start + k));
      }
    };
    while (i < src.length) {
      const c = src[i];
      if (c === '"') {
        // Macros inside quoted values are not expanded.
        i = skipQuoted(src, i);
        continue;
      }
      if (c !== '`') {
        i++;
        continue;
      }
      // ``` … ``` is an SPL comment: it is not a macro and is removed.
      if (src.startsWith('```', i)) {
        flushPlain(i);
        const end = src.indexOf('```', i + 3);
        i = end < 0 ? src.length : end + 3;
        plainStart = i;
        continue;
      }
      const close = src.indexOf('`', i + 1);
      const at = mapOffset(i);
      if (close < 0) throw new MacroError('unclosed macro: a ` has no closing `', at, 1);
      flushPlain(i);
      const call = parseCall(src.slice(i + 1, close), at, close - i + 1);
      const key = macroKey(call.name, call.args.length);
      const def = table.get(key) ?? fallback?.(call.name, call.args.length);
      if (!def) {
        const others = [...table.keys()].filter((k) => k === call.name || k.startsWith(`${call.name}(`));
        throw new MacroError(
          others.length
            ? `macro \`${call.name}\` is not defined with ${call.args.length} argument(s) (defined: ${others.join(', ')})`
            : `unknown macro \`${key}\``,
          at,
          close - i + 1,
        );
      }
      if (stack.includes(key) || stack.length >= MAX_DEPTH) {
        throw new MacroError(`macro \`${key}\` expands into itself (${[...stack, key].join(' → ')})`, at, close - i + 1);
      }
      if (++expansions > MAX_MACRO_EXPANSIONS) {
        throw new MacroError(`more than ${MAX_MACRO_EXPANSIONS} macro expansions: macros that call each other several times grow exponentially`, at, close - i + 1);
      }
      if (!used.includes(key)) used.push(key);
      const body = substitute(def, call, at, close - i + 1);
      // Everything the macro expands to points at its invocation in the text as written.
      expandInto(body, () => at, [...stack, key]);
      i = close + 1;
      plainStart = i;
    }
    flushPlain(src.length);
  };

  expandInto(text, (i) => i, []);
  offsets.push(text.length);
  return { text: out.join(''), offsets, used };
}

function skipQuoted(src: string, start: number): number {
  let i = start + 1;
  while (i < src.length) {
    if (src[i] === '\\') i += 2;
    else if (src[i] === '"') return i + 1;
    else i++;
  }
  return src.length;
}

interface MacroCall {
  name: string;
  args: Array<{ name?: string; value: string }>;
}

function parseCall(inner: string, at: number, length: number): MacroCall {
  const trimmed = inner.trim();
  const open = trimmed.indexOf('(');
  if (open < 0) {
    if (!/^[\w.:-]+$/.test(trimmed)) throw new MacroError(`"${trimmed}" is not a macro name`, at, length);
    return { name: trimmed, args: [] };
  }
  if (!trimmed.endsWith(')')) throw new MacroError(`macro call \`${trimmed}\` has no closing parenthesis`, at, length);
  const name = trimmed.slice(0, open).trim();
  const argText = trimmed.slice(open + 1, -1);
  const args = splitArgs(argText).map((raw) => {
    const named = /^\s*([A-Za-z_][\w]*)\s*=(.*)$/s.exec(raw);
    return named ? { name: named[1] as string, value: unquote((named[2] as string).trim()) } : { value: unquote(raw.trim()) };
  });
  if (args.length === 1 && args[0]?.value === '' && argText.trim() === '') return { name, args: [] };
  return { name, args };
}

/** Arguments split at top-level commas (not inside quotes or parentheses). */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = skipQuoted(text, i) - 1;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/**
 * One pair of double quotes around a whole argument is removed (`drop_dm_object_name("Processes")`
 * and `drop_dm_object_name(Processes)` expand alike); quotes inside an argument are kept.
 */
function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"') && skipQuoted(value, 0) === value.length) {
    return value.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  return value;
}

function substitute(def: MacroDefinition, call: MacroCall, at: number, length: number): string {
  if (!def.args.length) return def.definition;
  const values = new Map<string, string>();
  const allNamed = call.args.every((a) => a.name !== undefined && def.args.includes(a.name));
  call.args.forEach((a, i) => {
    const name = allNamed ? (a.name as string) : def.args[i];
    if (name === undefined) throw new MacroError(`macro \`${def.name}\` takes ${def.args.length} argument(s)`, at, length);
    values.set(name, a.name !== undefined && !allNamed ? `${a.name}=${a.value}` : a.value);
  });
  for (const name of def.args) {
    if (!values.has(name)) throw new MacroError(`macro \`${def.name}\`: argument "${name}" is not given`, at, length);
  }
  return def.definition.replace(/\$([A-Za-z_][\w]*)\$/g, (whole, name: string) => values.get(name) ?? whole);
}

/**
 * The definitions ruleproof supplies itself, for macros that are not in a content repository:
 * the CIM add-on's `drop_dm_object_name`, and what security_content's build generates
 * (`security_content_*`, the `*_config` switches and every detection's empty `<name>_filter`).
 * A repository's own `macros/*.yml` definitions take precedence over these.
 */
export const BUILTIN_MACROS: MacroTable = new Map(
  (
    [
      // Splunk_SA_CIM: strip the dataset prefix from data-model field names.
      ['drop_dm_object_name', ['object'], 'rename $object$.* AS *'],
      ['security_content_summariesonly', [], 'summariesonly=`summariesonly_config` allow_old_summaries=`oldsummaries_config` fillnull_value=`fillnull_config`'],
      ['summariesonly_config', [], 'false'],
      ['oldsummaries_config', [], 'true'],
      ['fillnull_config', [], '"null"'],
      ['security_content_ctime', ['field'], 'convert timeformat="%Y-%m-%dT%H:%M:%S" ctime($field$)'],
    ] as Array<[string, string[], string]>
  ).map(([name, args, definition]) => [macroKey(name, args.length), { name, args, definition, origin: 'built-in' }]),
);

/** Every detection's `<name>_filter` macro is generated as `search *` (a filter that keeps everything). */
export const builtinFallback: MacroFallback = (name, argCount) =>
  argCount === 0 && name.endsWith('_filter')
    ? { name, args: [], definition: 'search *', origin: 'built-in (generated empty filter)' }
    : undefined;

/** A table with `overrides` (a repository's macros) taking precedence over `base`. */
export function mergeMacroTables(base: MacroTable, overrides: MacroTable): MacroTable {
  const merged = new Map(base);
  for (const [k, v] of overrides) merged.set(k, v);
  return merged;
}
