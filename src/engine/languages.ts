/**
 * Query languages other than EQL: each compiles its own text (parser → its AST → the shared IR or
 * its own stateful detector) into a `CompileResult`. `compileQuery` dispatches here; adding a
 * language is one entry in `LANGUAGE_MODULES` and one registration in `./index.ts`.
 */
import type { QueryLanguage } from '../rules/model.js';
import type { CompileOptions, CompileResult } from './types.js';

export type LanguageCompiler = (text: string, options: CompileOptions) => CompileResult;

/**
 * The compilers loaded so far. Loading them all costs a third of `ruleproof query`'s start-up
 * (measured: 70 ms of CPU), so a command loads the ones it needs (`loadLanguages`); importing
 * `./index.ts` loads every one.
 */
export const LANGUAGE_COMPILERS: Partial<Record<QueryLanguage, LanguageCompiler>> = {};

/** Where each language other than EQL (built into `./query.ts`) is compiled. */
export const LANGUAGE_MODULES: Partial<Record<QueryLanguage, () => Promise<LanguageCompiler>>> = {
  spl: async () => (await import('./spl/index.js')).compileSpl,
  logpoint: async () => (await import('./logpoint/index.js')).compileLogpoint,
  sigma: async () => (await import('./sigma/index.js')).compileSigma,
  kql: async () => (await import('./kql/index.js')).compileKql,
};

/** Registers a compiler (`./index.ts` registers every language at once). */
export function registerLanguage(language: QueryLanguage, compiler: LanguageCompiler): void {
  LANGUAGE_COMPILERS[language] = compiler;
}

/** Loads the compilers of these languages (EQL needs none). */
export async function loadLanguages(languages: Iterable<QueryLanguage>): Promise<void> {
  for (const language of new Set(languages)) {
    const load = LANGUAGE_MODULES[language];
    if (load && !LANGUAGE_COMPILERS[language]) registerLanguage(language, await load());
  }
}
