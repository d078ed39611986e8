/**
 * Heavy dependencies loaded on first use, for modules that every command imports but that need
 * them only sometimes (a dataset descriptor, a configuration file): `ruleproof query` over a plain
 * NDJSON file then never pays for loading ajv or yaml. CommonJS builds through `require`, which is
 * synchronous, so the callers stay synchronous. On Node.js, `import 'yaml'` loads the same CommonJS
 * build (its `node` export), so nodes made through either form are the same classes.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let yamlModule: typeof import('yaml') | undefined;
let ajvModule: typeof import('ajv') | undefined;

export function lazyYaml(): typeof import('yaml') {
  return (yamlModule ??= require('yaml') as typeof import('yaml'));
}

export function lazyAjv(): typeof import('ajv') {
  return (ajvModule ??= require('ajv') as typeof import('ajv'));
}
