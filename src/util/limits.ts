/**
 * Limits that keep hostile or broken content from exhausting a CI runner: every one has a default
 * sized for real detection content, and every one can be changed — by `RULEPROOF_<NAME>`
 * environment variables (e.g. `RULEPROOF_MAX_LINE_BYTES=134217728`) or by passing options where
 * a function takes them. A limit that trips produces a clear diagnostic, and the run goes on.
 */

export interface Limits {
  /**
   * Longest line of a line-based dataset (bytes). Longer lines are skipped with a warning, never
   * held whole; this also bounds every field value of the event on that line.
   */
  maxLineBytes: number;
  /** YAML: most alias expansions in one document (billion-laughs guard; yaml's `maxAliasCount`). */
  maxYamlAliases: number;
  /** YAML/JSON rule and descriptor files: deepest nesting of maps and sequences. */
  maxYamlDepth: number;
  /** Longest regular expression pattern in a rule (characters). */
  maxRegexLength: number;
  /**
   * Most events held at once to put an out-of-order dataset back in time order (`src/events/order.ts`):
   * each is a parsed, normalised event of 2–4 KB of memory. Beyond it the oldest are replayed early.
   */
  maxReorderEvents: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxLineBytes: 16 * 1024 * 1024,
  maxYamlAliases: 100,
  maxYamlDepth: 64,
  maxRegexLength: 4096,
  maxReorderEvents: 10_000,
});

const ENV_NAMES: Record<keyof Limits, string> = {
  maxLineBytes: 'RULEPROOF_MAX_LINE_BYTES',
  maxYamlAliases: 'RULEPROOF_MAX_YAML_ALIASES',
  maxYamlDepth: 'RULEPROOF_MAX_YAML_DEPTH',
  maxRegexLength: 'RULEPROOF_MAX_REGEX_LENGTH',
  maxReorderEvents: 'RULEPROOF_MAX_REORDER_EVENTS',
};

const LIMIT_KEYS = Object.keys(ENV_NAMES) as Array<keyof Limits>;

/** The limits in force: defaults, overridden by positive integers in the environment. */
export function limits(env: NodeJS.ProcessEnv = process.env): Limits {
  const out: Limits = { ...DEFAULT_LIMITS };
  for (const key of LIMIT_KEYS) out[key] = limit(key, env);
  return out;
}

/**
 * One limit in force (the environment is read on every call, so a changed variable takes effect).
 * Hot paths ask for the one limit they need: each environment read costs a lookup in the process's
 * environment, and a lint run asks tens of thousands of times.
 */
export function limit(key: keyof Limits, env: NodeJS.ProcessEnv = process.env): number {
  return limitValue(env[ENV_NAMES[key]]) ?? DEFAULT_LIMITS[key];
}

/** A limit variable's value: a positive whole number, or undefined (unset, empty or unusable). */
function limitValue(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * The limit variables set to something that is no positive whole number, each with why: `limit`
 * falls back to the default for them, so the CLI refuses to run rather than let a typo
 * (`RULEPROOF_MAX_LINE_BYTES=64M`) pass unnoticed.
 */
export function invalidLimitSettings(env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  for (const key of LIMIT_KEYS) {
    const raw = env[ENV_NAMES[key]];
    if (raw !== undefined && raw !== '' && limitValue(raw) === undefined) {
      problems.push(`${ENV_NAMES[key]}=${JSON.stringify(raw)} is not a positive whole number (the default is ${DEFAULT_LIMITS[key]})`);
    }
  }
  return problems;
}

/** The environment variable that sets a limit (for messages: "raise it with …"). */
export function limitEnvName(key: keyof Limits): string {
  return ENV_NAMES[key];
}
