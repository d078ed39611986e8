/**
 * Elastic KQL rules from TOML: threshold and new_terms parameters, the look-back window and
 * detections-as-code exception lists reach the engine, and replay applies them.
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileQuery } from '../../src/engine/index.js';
import { readKqlRuleDialect } from '../../src/engine/kql/index.js';
import type { Alert } from '../../src/engine/types.js';
import type { CanonicalEvent } from '../../src/events/types.js';
import { loadRules } from '../../src/rules/index.js';
import type { Rule } from '../../src/rules/model.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ruleproof-kql-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

const rule = (id: string, type: string, query: string, extra = '') => `[metadata]
creation_date = "2026/01/01"
updated_date = "2026/01/01"

[rule]
author = ["t"]
description = "d"
name = "${type} rule"
risk_score = 21
rule_id = "${id}"
severity = "low"
type = "${type}"
from = "now-2m"
query = '''
${query}
'''
${extra}`;

function replay(r: Rule, docs: Array<[CanonicalEvent, number]>): Alert[] {
  const c = compileQuery(r.query.text, { language: r.query.language, fieldView: r.query.fieldView, ...(r.query.dialect ? { dialect: r.query.dialect } : {}) });
  if (!c.ok) throw new Error(JSON.stringify(c.errors));
  const out: Alert[] = [];
  const d = c.query.newDetector((a) => out.push(a));
  docs.forEach(([doc, ts], i) => d.push({ doc, timestamp: ts, key: `line:${i + 1}`, dataset: 'x', ordinal: i }));
  d.finish();
  return out;
}

t.test('threshold, new_terms and exceptions from TOML', async (t) => {
  const root = tree({
    'rules/threshold.toml': rule('11111111-1111-4111-8111-111111111111', 'threshold', 'event.code:4625', '[rule.threshold]\nfield = ["source.ip"]\nvalue = 2\n'),
    'rules/new_terms.toml': rule(
      '22222222-2222-4222-8222-222222222222',
      'new_terms',
      'event.category:process',
      '[rule.new_terms]\nfield = "new_terms_fields"\nvalue = ["process.name"]\n[[rule.new_terms.history_window_start]]\nfield = "history_window_start"\nvalue = "now-1h"\n',
    ),
    'rules/query.toml': rule(
      '33333333-3333-4333-8333-333333333333',
      'query',
      'process.name:*',
      '[[rule.exceptions_list]]\nid = "x"\nlist_id = "allow-admin-tools"\nnamespace_type = "single"\ntype = "detection"\n',
    ),
    'exceptions/admin_tools.toml': `[metadata]
creation_date = "2026/01/01"
list_id = "allow-admin-tools"
updated_date = "2026/01/01"

[[exceptions]]

[exceptions.container]
description = "Admin tools"
list_id = "allow-admin-tools"
name = "Admin tools"
namespace_type = "single"
type = "detection"

[[exceptions.items]]
description = "PsExec from the jump host"
name = "psexec"
type = "simple"

[[exceptions.items.entries]]
field = "process.name"
operator = "included"
type = "match"
value = "psexec.exe"

[[exceptions.items.entries]]
field = "host.name"
operator = "included"
type = "match_any"
value = ["jump01", "jump02"]
`,
  });
  const result = await loadRules(['rules'], { root });
  t.same(result.diagnostics, []);
  const byId = (p: string) => result.rules.find((r) => r.id.startsWith(p)) as Rule;

  const th = byId('1111');
  t.match(readKqlRuleDialect(th.query.dialect), { type: 'threshold', windowMs: 120_000, threshold: { field: ['source.ip'], value: 2 } });
  const fail = (ip: string): CanonicalEvent => ({ event: { code: '4625' }, source: { ip } });
  t.equal(replay(th, [[fail('1.1.1.1'), 0], [fail('1.1.1.1'), 150_000], [fail('1.1.1.1'), 160_000], [fail('2.2.2.2'), 170_000]]).length, 1, 'two failures from one address within two minutes');

  const nt = byId('2222');
  t.match(readKqlRuleDialect(nt.query.dialect), { type: 'new_terms', newTerms: { fields: ['process.name'], historyWindowMs: 3_600_000 } });
  const p = (name: string): CanonicalEvent => ({ event: { category: 'process' }, process: { name } });
  t.same(replay(nt, [[p('a'), 0], [p('a'), 1000], [p('b'), 2000], [p('a'), 4_000_000]]).map((a) => a.joinKey), [['a'], ['b'], ['a']]);

  const q = byId('3333');
  t.match(readKqlRuleDialect(q.query.dialect), { type: 'query', exceptions: [{ name: 'psexec' }] });
  const host = (name: string, h: string): CanonicalEvent => ({ process: { name }, host: { name: h } });
  t.equal(replay(q, [[host('psexec.exe', 'jump01'), 0]]).length, 0, 'the exception item removes it');
  t.equal(replay(q, [[host('psexec.exe', 'ws7'), 0]]).length, 1, 'both entries must match');
  t.equal(replay(q, [[host('cmd.exe', 'jump01'), 0]]).length, 1);
});

t.test('a plain query rule carries no dialect', async (t) => {
  const root = tree({ 'r.toml': rule('44444444-4444-4444-8444-444444444444', 'query', 'process.name:x') });
  const result = await loadRules(['r.toml'], { root });
  t.equal(result.rules[0]?.query.dialect, undefined);
});
