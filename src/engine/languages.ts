/**
 * Query languages other than EQL: each compiles its own text (parser → its AST → the shared IR or
 * its own stateful detector) into a `CompileResult`. `compileQuery` dispatches here; adding a
 * language is one import and one entry.
 */
import type { QueryLanguage } from '../rules/model.js';
import type { CompileOptions, CompileResult } from './types.js';
import { compileSpl } from './spl/index.js';
import { compileLogpoint } from './logpoint/index.js';
import { compileSigma } from './sigma/index.js';
import { compileKql } from './kql/index.js';

export type LanguageCompiler = (text: string, options: CompileOptions) => CompileResult;

export const LANGUAGE_COMPILERS: Partial<Record<QueryLanguage, LanguageCompiler>> = {
  spl: compileSpl,
  logpoint: compileLogpoint,
  sigma: compileSigma,
  kql: compileKql,
};
