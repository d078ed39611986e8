/**
 * The engine's entry point: `compileQuery(text, options)` (contract in `./types.ts`) with every
 * query language loaded. A command that knows which languages it needs imports `./query.ts` and
 * calls `loadLanguages` instead, and starts faster.
 */
import { compileKql } from './kql/index.js';
import { registerLanguage } from './languages.js';
import { compileLogpoint } from './logpoint/index.js';
import { compileSigma } from './sigma/index.js';
import { compileSpl } from './spl/index.js';

registerLanguage('spl', compileSpl);
registerLanguage('logpoint', compileLogpoint);
registerLanguage('sigma', compileSigma);
registerLanguage('kql', compileKql);

export { compileIR, compileQuery } from './query.js';
export { loadLanguages } from './languages.js';
export type { CompileOptions, CompileResult, CompiledQuery } from './types.js';
