/**
 * Languages other than EQL are loaded on demand (`ruleproof query` loads only the one it is given):
 * through `engine/query.js` a language must be loaded first, and `engine/index.js` loads them all.
 */
import t from 'tap';
import { compileQuery } from '../../src/engine/query.js';
import { LANGUAGE_COMPILERS, LANGUAGE_MODULES, loadLanguages } from '../../src/engine/languages.js';

t.test('EQL needs nothing loaded; another language must be loaded first, and then compiles', async (t) => {
  t.same(Object.keys(LANGUAGE_COMPILERS), [], 'nothing loaded by importing query.js');
  const eql = compileQuery('process where process.name == "cmd.exe"', { language: 'eql', fieldView: 'ecs' });
  t.ok(eql.ok, 'EQL compiles');
  t.throws(() => compileQuery('process.name : "cmd.exe"', { language: 'kql', fieldView: 'ecs' }), /kql compiler is not loaded/);
  await loadLanguages(['kql']);
  t.same(Object.keys(LANGUAGE_COMPILERS), ['kql'], 'only the language asked for');
  const kql = compileQuery('process.name : "cmd.exe"', { language: 'kql', fieldView: 'ecs' });
  t.ok(kql.ok, 'KQL compiles once loaded');
  const unknown = compileQuery('x', { language: 'esql' as never, fieldView: 'ecs' });
  t.notOk(unknown.ok, 'a language nobody compiles is reported, not thrown');
  if (!unknown.ok) t.match(unknown.errors[0]?.message, /not supported/);
});

t.test('every language module loads and registers its compiler', async (t) => {
  const languages = Object.keys(LANGUAGE_MODULES) as Array<keyof typeof LANGUAGE_MODULES>;
  t.same([...languages].sort(), ['kql', 'logpoint', 'sigma', 'spl']);
  await loadLanguages(languages);
  for (const language of languages) t.type(LANGUAGE_COMPILERS[language], 'function', language);
});
