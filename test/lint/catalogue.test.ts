/** The bundled ATT&CK catalogue, its lookups, version selection, and the script that builds it. */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledAttackVersions, loadAttackCatalogue } from '../../src/lint/attack/catalogue.js';
import { ContentError } from '../../src/util/diagnostics.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

t.test('ATT&CK Enterprise 18.1 is bundled, with its licence notice', async (t) => {
  t.ok(bundledAttackVersions().includes('18.1'));
  const catalogue = loadAttackCatalogue('18.1');
  t.equal(catalogue.version, '18.1');
  t.equal(catalogue.tactics.length, 14);
  const active = catalogue.techniques.filter((x) => !x.revoked && !x.deprecated);
  t.equal(active.filter((x) => !x.parent).length, 216, 'active techniques');
  t.equal(active.filter((x) => x.parent).length, 475, 'active sub-techniques');
  t.equal(catalogue.techniques.filter((x) => x.revoked).length, 132, 'revoked');
  const notice = readFileSync(path.join(repoRoot, 'src/lint/attack/LICENSE-ATTACK.md'), 'utf8');
  t.match(notice, /© 2025 The MITRE Corporation\. This work is reproduced and distributed with the permission of The MITRE\s+Corporation\./);
  t.match(notice, /mitre\/cti/);
});

t.test('lookups by id, name and shortname', async (t) => {
  const catalogue = loadAttackCatalogue('18.1');
  t.same(catalogue.tactic('TA0008'), { id: 'TA0008', name: 'Lateral Movement', shortname: 'lateral-movement' });
  t.equal(catalogue.tactic('ta0002')?.name, 'Execution', 'ids are matched case-insensitively');
  t.equal(catalogue.tacticByShortname('defense-evasion')?.id, 'TA0005');
  t.equal(catalogue.tacticByName('command and control')?.id, 'TA0011');
  t.match(catalogue.technique('T1021.006'), { name: 'Windows Remote Management', parent: 'T1021', tactics: ['lateral-movement'] });
  t.match(catalogue.technique('T1059'), { name: 'Command and Scripting Interpreter', tactics: ['execution'] });
  t.equal(catalogue.technique('T1059')?.parent, undefined);
  t.match(catalogue.technique('T1086'), { name: 'PowerShell', revoked: true, revokedBy: 'T1059.001' });
  t.equal(catalogue.successor('T1086')?.id, 'T1059.001');
  t.equal(catalogue.successor('T1059')?.id, 'T1059', 'a current technique is its own successor');
  t.equal(catalogue.technique('T9999'), undefined);
  t.ok(catalogue.techniquesNamed('PowerShell').some((x) => x.id === 'T1059.001'));
  t.equal(catalogue.technique('T1021')?.platforms?.includes('Windows'), true);
});

t.test('version selection: exact, major only, a v prefix; unknown versions list the bundled ones', async (t) => {
  t.equal(loadAttackCatalogue('18').version, '18.1');
  t.equal(loadAttackCatalogue('v18.1').version, '18.1');
  t.throws(() => loadAttackCatalogue('12.0'), ContentError);
  try {
    loadAttackCatalogue('12.0');
  } catch (e) {
    const d = (e as ContentError).diagnostic;
    t.equal(d.code, 'config/attack-version');
    t.match(d.message, /ATT&CK version "12\.0" is not bundled with ruleproof \(bundled: .*18\.1/);
    t.match(d.hint, /attack_version/);
  }
});

t.test('the build script turns a STIX bundle into the compact catalogue', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-attack-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ref = (id: string, kind: string) => [{ source_name: 'mitre-attack', external_id: id, url: `https://attack.mitre.org/${kind}/${id}` }];
  const objects = [
    { type: 'x-mitre-matrix', id: 'x-mitre-matrix--1', external_references: ref('enterprise-attack', 'matrices'), tactic_refs: ['x-mitre-tactic--b', 'x-mitre-tactic--a'] },
    { type: 'x-mitre-tactic', id: 'x-mitre-tactic--a', name: 'Lateral Movement', x_mitre_shortname: 'lateral-movement', external_references: ref('TA0008', 'tactics') },
    { type: 'x-mitre-tactic', id: 'x-mitre-tactic--b', name: 'Execution', x_mitre_shortname: 'execution', external_references: ref('TA0002', 'tactics') },
    {
      type: 'attack-pattern', id: 'attack-pattern--t1021', name: 'Remote Services', external_references: ref('T1021', 'techniques'),
      kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'lateral-movement' }], x_mitre_platforms: ['Windows'],
    },
    {
      type: 'attack-pattern', id: 'attack-pattern--t1021-006', name: 'Windows Remote Management', x_mitre_is_subtechnique: true,
      external_references: ref('T1021.006', 'techniques'), kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'lateral-movement' }],
    },
    {
      type: 'attack-pattern', id: 'attack-pattern--t1028', name: 'Windows Remote Management', revoked: true, external_references: ref('T1028', 'techniques'),
      kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'lateral-movement' }, { kill_chain_name: 'mitre-attack', phase_name: 'execution' }],
    },
    { type: 'attack-pattern', id: 'attack-pattern--old', name: 'Old Thing', x_mitre_deprecated: true, external_references: ref('T1000', 'techniques'), kill_chain_phases: [] },
    { type: 'relationship', id: 'relationship--1', relationship_type: 'subtechnique-of', source_ref: 'attack-pattern--t1021-006', target_ref: 'attack-pattern--t1021' },
    { type: 'relationship', id: 'relationship--2', relationship_type: 'revoked-by', source_ref: 'attack-pattern--t1028', target_ref: 'attack-pattern--t1021-006' },
  ];
  writeFileSync(path.join(dir, 'enterprise-attack-1.0.core.stix.json'), JSON.stringify({ type: 'bundle', id: 'bundle--x', objects }));
  const out = path.join(dir, 'out');
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-attack-catalogue.mjs'), '--from', dir, '--version', '1.0', '--out', out], { stdio: 'pipe' });
  const built = JSON.parse(readFileSync(path.join(out, 'enterprise-attack-1.0.json'), 'utf8'));
  t.equal(built.format, 'ruleproof-attack/1');
  t.equal(built.version, '1.0');
  t.same(built.tactics, [
    { id: 'TA0002', name: 'Execution', shortname: 'execution' },
    { id: 'TA0008', name: 'Lateral Movement', shortname: 'lateral-movement' },
  ], 'tactics in matrix order');
  t.same(built.techniques, [
    { id: 'T1000', name: 'Old Thing', tactics: [], deprecated: true },
    { id: 'T1021', name: 'Remote Services', tactics: ['lateral-movement'], platforms: ['Windows'] },
    { id: 'T1021.006', name: 'Windows Remote Management', tactics: ['lateral-movement'], parent: 'T1021' },
    { id: 'T1028', name: 'Windows Remote Management', tactics: ['execution', 'lateral-movement'], revoked: true, revokedBy: 'T1021.006' },
  ]);
  t.same(built.counts, { tactics: 2, techniques: 1, subtechniques: 1, revoked: 1, deprecated: 1 });
  t.match(readFileSync(path.join(out, 'LICENSE-ATTACK.md'), 'utf8'), /The MITRE Corporation/);
});

t.test('the build script reads a line-per-entry extract, and refuses an inconsistent one', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-attack-extract-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const header = '# an extract\n#@ version: 2.0\n#@ data: test data\n#@ repository: https://example.org/x\n#@ commit: abc\n#@ file: x.json\n#@ upstream_modified: 2026-01-02T00:00:00Z\n';
  const tactics = 'TA0002|Execution|execution\nTA0112|Defense Impairment|defense-impairment\n';
  const good = header + tactics + [
    'T1059|Command and Scripting Interpreter|execution|Linux,Windows|',
    'T1059.001|PowerShell|execution|Windows|',
    'T1562|Impair Defenses|defense-impairment|Windows|R>T1685',
    'T1685|Disable or Modify Tools|defense-impairment|Windows|',
    'T1064|Scripting|execution||D',
  ].join('\n') + '\n';
  writeFileSync(path.join(dir, 'enterprise-attack-2.0.extract.txt'), good);
  const out = path.join(dir, 'out');
  const script = path.join(repoRoot, 'scripts/build-attack-catalogue.mjs');
  execFileSync(process.execPath, [script, '--from', dir, '--version', '2.0', '--out', out], { stdio: 'pipe' });
  const built = JSON.parse(readFileSync(path.join(out, 'enterprise-attack-2.0.json'), 'utf8'));
  t.same(built.tactics.map((x: { id: string }) => x.id), ['TA0002', 'TA0112'], 'tactics in the order written');
  t.same(built.techniques, [
    { id: 'T1059', name: 'Command and Scripting Interpreter', tactics: ['execution'], platforms: ['Linux', 'Windows'] },
    { id: 'T1059.001', name: 'PowerShell', tactics: ['execution'], parent: 'T1059', platforms: ['Windows'] },
    { id: 'T1064', name: 'Scripting', tactics: ['execution'], deprecated: true },
    { id: 'T1562', name: 'Impair Defenses', tactics: ['defense-impairment'], platforms: ['Windows'], revoked: true, revokedBy: 'T1685' },
    { id: 'T1685', name: 'Disable or Modify Tools', tactics: ['defense-impairment'], platforms: ['Windows'] },
  ]);
  t.match(built.source, { data: 'test data', repository: 'https://example.org/x', commit: 'abc', file: 'enterprise-attack-2.0.extract.txt (from x.json)' });
  t.equal(built.copyright, '2026');
  t.same(built.counts, { tactics: 2, techniques: 2, subtechniques: 1, revoked: 1, deprecated: 1 });
  t.match(readFileSync(path.join(out, 'LICENSE-ATTACK.md'), 'utf8'), /enterprise-attack-2\.0\.json.*© 2026 The MITRE Corporation.*https:\/\/example\.org\/x, commit abc/);

  const broken = header + tactics + [
    'T1059.001|PowerShell|execution|Windows|',
    'T1562|Impair Defenses|stealth|Windows|R>T9999',
    'T1685|Disable or Modify Tools||Windows|',
  ].join('\n') + '\n';
  writeFileSync(path.join(dir, 'enterprise-attack-2.0.extract.txt'), broken);
  try {
    execFileSync(process.execPath, [script, '--from', dir, '--version', '2.0', '--out', out], { stdio: 'pipe' });
    t.fail('an inconsistent extract is refused');
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr);
    t.match(stderr, /T1059\.001: parent T1059 is not listed/);
    t.match(stderr, /T1562: unknown tactic "stealth"/);
    t.match(stderr, /T1562: successor T9999 is not listed/);
    t.match(stderr, /T1685: a current technique without tactics/);
  }
});
