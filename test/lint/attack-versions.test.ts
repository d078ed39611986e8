/**
 * ATT&CK 18.1 and 19.2 side by side: the 19.2 catalogue, how a rule's release is chosen (declared,
 * inferred from 19-only ids and tactics, configured), and the attack/* checks against both releases,
 * in table form like the other check tests.
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundledAttackVersions, loadAttackCatalogue } from '../../src/lint/attack/catalogue.js';
import { attackCatalogueForTags, evidenceFromTags, inferAttackCatalogue, ruleAttackVersion } from '../../src/lint/attack/version.js';
import { attackDeprecated } from '../../src/lint/checks/attack-deprecated.js';
import { attackNameMismatch } from '../../src/lint/checks/attack-name-mismatch.js';
import { attackTacticMismatch } from '../../src/lint/checks/attack-tactic-mismatch.js';
import { attackTacticTags } from '../../src/lint/checks/attack-tactic-tags.js';
import { attackUnknownId } from '../../src/lint/checks/attack-unknown-id.js';
import { attackVersion } from '../../src/lint/checks/attack-version.js';
import { lintRules, type LintCheck } from '../../src/lint/index.js';
import { loadRules } from '../../src/rules/index.js';
import { nativeRule, threat } from './rule-tester.js';

t.test('ATT&CK Enterprise 19.2 is bundled beside 18.1', async (t) => {
  t.same(bundledAttackVersions(), ['18.1', '19.2']);
  const v19 = loadAttackCatalogue('19.2');
  t.equal(v19.tactics.length, 15);
  const active = v19.techniques.filter((x) => !x.revoked && !x.deprecated);
  t.equal(active.filter((x) => !x.parent).length, 222, 'active techniques');
  t.equal(active.filter((x) => x.parent).length, 475, 'active sub-techniques');
  t.equal(v19.techniques.filter((x) => x.revoked).length, 149, 'revoked');
  t.match(v19.source, { repository: 'https://github.com/OwlsNightCatch/ctipilot', commit: '589cec6d9810153379535a48703b6794c5f83c4e' });
  const notice = readFileSync(new URL('../../src/lint/attack/LICENSE-ATTACK.md', import.meta.url), 'utf8');
  t.match(notice, /enterprise-attack-19\.2\.json.*MITRE ATT&CK® Enterprise 19\.2/);
  t.match(notice, /© 2025, 2026 The MITRE Corporation\. This work is reproduced/);
});

t.test('19.2 lookups by id, name and tactic shortname', async (t) => {
  const v18 = loadAttackCatalogue('18.1');
  const v19 = loadAttackCatalogue('19.2');
  const cases: Array<[string, () => unknown, unknown]> = [
    ['TA0005 is Stealth in 19', () => v19.tactic('TA0005')?.name, 'Stealth'],
    ['TA0005 is Defense Evasion in 18', () => v18.tactic('TA0005')?.name, 'Defense Evasion'],
    ['TA0112 by id', () => v19.tactic('ta0112'), { id: 'TA0112', name: 'Defense Impairment', shortname: 'defense-impairment' }],
    ['TA0112 is not in 18', () => v18.tactic('TA0112'), undefined],
    ['shortname stealth', () => v19.tacticByShortname('stealth')?.id, 'TA0005'],
    ['no defense-evasion shortname in 19', () => v19.tacticByShortname('defense-evasion'), undefined],
    ['by name', () => v19.tacticByName('defense impairment')?.id, 'TA0112'],
    ['T1685', () => v19.technique('T1685'), { name: 'Disable or Modify Tools', tactics: ['defense-impairment'] }],
    ['T1685.001 under T1685', () => v19.technique('t1685.001'), { name: 'Disable or Modify Windows Event Log', parent: 'T1685', platforms: ['Windows'] }],
    ['T1562.001 current in 18', () => v18.technique('T1562.001')?.revoked, undefined],
    ['T1562.001 revoked in 19', () => v19.technique('T1562.001'), { revoked: true, revokedBy: 'T1685' }],
    ['successor of T1562.002', () => v19.successor('T1562.002')?.id, 'T1685.001'],
    ['successor of T1070.001', () => v19.successor('T1070.001')?.name, 'Clear Windows Event Logs'],
    ['successor of T1656', () => v19.successor('T1656')?.id, 'T1684.001'],
    ['T1112 moved to Defense Impairment', () => v19.technique('T1112')?.tactics, ['persistence', 'defense-impairment']],
    ['T1112 was Defense Evasion', () => v18.technique('T1112')?.tactics, ['persistence', 'defense-evasion']],
    ['T1027 is Stealth', () => v19.technique('T1027')?.tactics, ['stealth']],
    ['T1548.002 left Defense Evasion', () => v19.technique('T1548.002')?.tactics, ['privilege-escalation']],
    ['renamed T1211', () => v19.techniquesNamed('Exploitation for Stealth').map((x) => x.id), ['T1211']],
  ];
  for (const [name, get, want] of cases) {
    const got = get();
    if (want !== null && typeof want === 'object' && !Array.isArray(want)) t.match(got, want, name);
    else t.same(got, want, name);
  }
});

t.test('version selection: 19, v19.2 and 19.2 are one catalogue; 18 stays 18.1', async (t) => {
  t.equal(loadAttackCatalogue('19'), loadAttackCatalogue('19.2'));
  t.equal(loadAttackCatalogue('v19.2').version, '19.2');
  t.equal(loadAttackCatalogue('18').version, '18.1');
  t.throws(() => loadAttackCatalogue('20'), /not bundled with ruleproof \(bundled: 18\.1, 19\.2\)/);
});

t.test('inference: only ids and tactics the configured release lacks move a rule forward', async (t) => {
  const v18 = loadAttackCatalogue('18.1');
  const v19 = loadAttackCatalogue('19.2');
  const cases: Array<{ name: string; tags: string[]; base: typeof v18; version: string; evidence: string[] }> = [
    { name: 'a 19 tactic tag', tags: ['attack.defense-impairment', 'attack.t1112'], base: v18, version: '19.2', evidence: ['attack.defense-impairment'] },
    { name: 'a 19 technique id', tags: ['attack.t1685.001'], base: v18, version: '19.2', evidence: ['T1685.001'] },
    { name: 'Stealth, the new name of TA0005', tags: ['attack.stealth', 'attack.t1027'], base: v18, version: '19.2', evidence: ['attack.stealth'] },
    { name: 'an Elastic Tactic: tag', tags: ['Tactic: Defense Impairment'], base: v18, version: '19.2', evidence: ['"Defense Impairment"'] },
    { name: 'ids both releases know', tags: ['attack.execution', 'attack.t1059.001', 'attack.t1562.001'], base: v18, version: '18.1', evidence: [] },
    { name: 'a typo is no evidence', tags: ['attack.t9999'], base: v18, version: '18.1', evidence: [] },
    { name: 'never backwards from a configured 19', tags: ['attack.defense-evasion', 'attack.t1562.001'], base: v19, version: '19.2', evidence: [] },
    { name: 'group and software tags are not mappings', tags: ['attack.g0007', 'attack.s0002'], base: v18, version: '18.1', evidence: [] },
  ];
  for (const c of cases) {
    const got = inferAttackCatalogue(c.base, evidenceFromTags(c.tags));
    t.equal(got.catalogue.version, c.version, `${c.name}: version`);
    t.same(got.evidence, c.evidence, `${c.name}: evidence`);
    t.equal(attackCatalogueForTags(c.tags, c.base).version, c.version, `${c.name}: for the Sigma loader`);
  }
});

type Files = Record<string, string>;

async function load(t: Tap, files: Files) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-attack-versions-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const loaded = await loadRules(['.'], { root: dir });
  t.same(loaded.diagnostics, [], 'the case loads cleanly');
  return { dir, rules: loaded.rules };
}

type Tap = typeof t;

interface VersionCase {
  name: string;
  /** The configured release (ruleproof.config.yml / --attack-version). */
  configured: string;
  files: Files;
  /** Findings, in order: the line their pattern matches, the message and hint they must match. */
  errors: Array<{ at: RegExp; message: RegExp; hint?: RegExp }>;
}

/** RuleTester for one check at a configured release; an empty `errors` is a valid case. */
async function runVersionCases(t: Tap, check: LintCheck, cases: VersionCase[]) {
  for (const c of cases) {
    await t.test(`${c.errors.length ? 'invalid' : 'valid'} (configured ${c.configured}): ${c.name}`, async (t) => {
      const { dir, rules } = await load(t, c.files);
      const findings = lintRules(rules, { attackVersion: c.configured, severities: {}, checks: [check] });
      t.equal(findings.length, c.errors.length, `${c.errors.length} finding(s): ${JSON.stringify(findings, null, 1)}`);
      const file = Object.keys(c.files)[0]!;
      const lines = readFileSync(path.join(dir, file), 'utf8').split(/\r?\n/);
      c.errors.forEach((want, i) => {
        const line = lines.findIndex((l) => want.at.test(l)) + 1;
        t.match(findings[i], { file, line, code: check.id, severity: check.defaultSeverity, message: want.message }, `finding ${i + 1}`);
        t.ok(findings[i]?.hint, 'says what to do');
        if (want.hint) t.match(findings[i]?.hint, want.hint);
      });
    });
  }
}

const native = (...entries: Record<string, unknown>[]) => ({ 'r.yml': nativeRule({ threat: entries }) });

function sigma(tags: string[], head = ''): Files {
  return {
    'r.yml': `title: A Sigma rule
id: 1a2b3c4d-1111-4222-8333-444455556666
status: test
description: What it detects.
${head}tags:
${tags.map((x) => `    - ${x}`).join('\n')}
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\wevtutil.exe'
    condition: selection
level: medium
`,
  };
}

const DI: [string, string] = ['TA0112', 'Defense Impairment'];
const STEALTH: [string, string] = ['TA0005', 'Stealth'];
const DE: [string, string] = ['TA0005', 'Defense Evasion'];
const MODREG: [string, string] = ['T1112', 'Modify Registry'];
const TOOLS19: [string, string] = ['T1685', 'Disable or Modify Tools'];
const IMPAIR: [string, string] = ['T1562', 'Impair Defenses'];
const TOOLS18: [string, string] = ['T1562.001', 'Disable or Modify Tools'];
const INFERRED = /ATT&CK 19\.2 \(the rule uses TA0112, which only ATT&CK 19\.2 has\)/;

t.test('attack/unknown-id against 18.1 and 19.2', (t) =>
  runVersionCases(t, attackUnknownId, [
    { name: 'ATT&CK 19 ids make an ATT&CK 19 rule', configured: '18.1', files: native(threat(DI, TOOLS19, ['T1685.001', 'Disable or Modify Windows Event Log'])), errors: [] },
    { name: 'SigmaHQ tags in ATT&CK 19 terms', configured: '18.1', files: sigma(['attack.defense-impairment', 'attack.t1685.001', 'attack.stealth', 'attack.t1027']), errors: [] },
    { name: 'an 18 rule configured 19 (nothing was removed)', configured: '19.2', files: native(threat(DE, IMPAIR, TOOLS18)), errors: [] },
    {
      name: 'a typo in an ATT&CK 19 rule is reported against 19.2',
      configured: '18.1',
      files: native(threat(DI, ['T9999', 'Disable or Modify Tools'])),
      errors: [{ at: /id: T9999/, message: /T9999 is not a technique in ATT&CK 19\.2 \(the rule uses TA0112, which only ATT&CK 19\.2 has\)/, hint: /Did you mean T1685 \(Disable or Modify Tools\)/ }],
    },
    {
      name: 'a Sigma Defense Evasion tag configured 19.2',
      configured: '19.2',
      files: sigma(['attack.defense-evasion', 'attack.t1027']),
      errors: [{ at: /attack\.defense-evasion/, message: /^tag "attack\.defense-evasion" names no tactic of ATT&CK 19\.2$/, hint: /tag attack\.stealth \(TA0005\) or attack\.defense-impairment \(TA0112\)/ }],
    },
    {
      name: 'a Sigma Defense Evasion tag beside ATT&CK 19 tags',
      configured: '18.1',
      files: sigma(['attack.stealth', 'attack.defense-evasion', 'attack.t1027']),
      errors: [{ at: /attack\.defense-evasion/, message: /^tag "attack\.defense-evasion" names no tactic of ATT&CK 19\.2 \(the rule uses attack\.stealth, which only ATT&CK 19\.2 has\)$/ }],
    },
    {
      name: 'a misspelt Sigma tactic tag no longer vanishes',
      configured: '18.1',
      files: sigma(['attack.defence-evasion', 'attack.t1027']),
      errors: [{ at: /attack\.defence-evasion/, message: /^tag "attack\.defence-evasion" names no tactic of ATT&CK 18\.1$/, hint: /^Did you mean attack\.defense-evasion\?$/ }],
    },
    {
      name: 'a native rule that declares 18.1 cannot use TA0112',
      configured: '19.2',
      files: { 'r.yml': nativeRule({ attack_version: '18.1', threat: [threat(DI, MODREG)] }) },
      errors: [{ at: /id: TA0112/, message: /^TA0112 is not a tactic in ATT&CK 18\.1 \(declared by the rule\)$/, hint: /TA0112 is a tactic of ATT&CK 19\.2; declare that release with attack_version/ }],
    },
    {
      name: 'a rule that declares 18.1 cannot use T1685',
      configured: '19.2',
      files: sigma(['attack.defense-evasion', 'attack.t1685'], 'attack_version: "18.1"\n'),
      errors: [{ at: /attack\.t1685/, message: /T1685 is not a technique in ATT&CK 18\.1 \(declared by the rule\)/, hint: /^T1685 is in ATT&CK 19\.2: declare that release with attack_version, or map the rule to ATT&CK 18\.1\. Did you mean T1562\.001 \(Disable or Modify Tools\)\?$/ }],
    },
  ]),
);

t.test('attack/deprecated: a v18 id revoked in v19 names its v19 successor', (t) =>
  runVersionCases(t, attackDeprecated, [
    { name: 'T1562.001 is current in 18.1', configured: '18.1', files: native(threat(DE, IMPAIR, TOOLS18)), errors: [] },
    {
      name: 'T1562.001 in a rule configured 19.2',
      configured: '19.2',
      files: native(threat(DE, IMPAIR, TOOLS18)),
      errors: [
        { at: /id: T1562$/, message: /T1562 \(Impair Defenses\) is revoked in ATT&CK 19\.2; it was replaced by T1685 \(Disable or Modify Tools\)/, hint: /Map the rule to T1685 "Disable or Modify Tools"\./ },
        { at: /id: T1562\.001/, message: /T1562\.001 \(Disable or Modify Tools\) is revoked in ATT&CK 19\.2; it was replaced by T1685 \(Disable or Modify Tools\)/, hint: /T1685/ },
      ],
    },
    {
      name: 'T1562.002 next to an ATT&CK 19 tactic',
      configured: '18.1',
      files: native(threat(DI, IMPAIR, ['T1562.002', 'Disable Windows Event Logging'])),
      errors: [
        { at: /id: T1562$/, message: /T1562 \(Impair Defenses\) is revoked in ATT&CK 19\.2 \(the rule uses TA0112/ },
        {
          at: /id: T1562\.002/,
          message: /T1562\.002 \(Disable Windows Event Logging\) is revoked in ATT&CK 19\.2 .*; it was replaced by T1685\.001 \(Disable or Modify Windows Event Log\)/,
          hint: /Map the rule to T1685\.001 "Disable or Modify Windows Event Log" \(a sub-technique of T1685, listed under it\)/,
        },
      ],
    },
    {
      name: 'a SigmaHQ-style rule mixing attack.defense-impairment with attack.t1562.001',
      configured: '18.1',
      files: sigma(['attack.defense-impairment', 'attack.t1562.001']),
      errors: [
        { at: /attack\.t1562\.001/, message: /T1562 \(Impair Defenses\) is revoked in ATT&CK 19\.2/ },
        { at: /attack\.t1562\.001/, message: /^T1562\.001 \(Disable or Modify Tools\) is revoked in ATT&CK 19\.2 \(the rule uses attack\.defense-impairment, which only ATT&CK 19\.2 has\); it was replaced by T1685 \(Disable or Modify Tools\)$/ },
      ],
    },
  ]),
);

t.test('attack/tactic-mismatch: Defense Evasion techniques changed tactics in 19', (t) =>
  runVersionCases(t, attackTacticMismatch, [
    { name: 'Modify Registry under Defense Evasion in 18.1', configured: '18.1', files: native(threat(DE, MODREG)), errors: [] },
    { name: 'Modify Registry under Defense Impairment in 19.2', configured: '18.1', files: native(threat(DI, MODREG)), errors: [] },
    { name: 'Obfuscation under Stealth in 19.2', configured: '19.2', files: native(threat(STEALTH, ['T1027', 'Obfuscated Files or Information'])), errors: [] },
    {
      name: 'Modify Registry under Stealth in 19.2',
      configured: '19.2',
      files: native(threat(STEALTH, MODREG)),
      errors: [{ at: /id: T1112/, message: /T1112 \(Modify Registry\) is not a technique of tactic TA0005 \(Stealth\) in ATT&CK 19\.2$/, hint: /Its tactics are: TA0003 Persistence, TA0112 Defense Impairment/ }],
    },
    {
      name: 'Obfuscation under Defense Impairment',
      configured: '18.1',
      files: native(threat(DI, ['T1027', 'Obfuscated Files or Information'])),
      errors: [{ at: /id: T1027/, message: new RegExp(`T1027 \\(Obfuscated Files or Information\\) is not a technique of tactic TA0112 \\(Defense Impairment\\) in ${INFERRED.source}`), hint: /Its tactics are: TA0005 Stealth/ }],
    },
    {
      name: 'Bypass UAC left Defense Evasion',
      configured: '19.2',
      files: native(threat(STEALTH, ['T1548', 'Abuse Elevation Control Mechanism'], ['T1548.002', 'Bypass User Account Control'])),
      errors: [{ at: /id: T1548$/, message: /T1548 \(Abuse Elevation Control Mechanism\) is not a technique of tactic TA0005 \(Stealth\)/, hint: /TA0004 Privilege Escalation/ }],
    },
  ]),
);

t.test('attack/name-mismatch: names are the release\'s names', (t) =>
  runVersionCases(t, attackNameMismatch, [
    { name: 'TA0005 "Defense Evasion" in 18.1', configured: '18.1', files: native(threat(DE)), errors: [] },
    { name: 'TA0005 "Stealth" is an ATT&CK 19 rule', configured: '18.1', files: native(threat(STEALTH, ['T1027', 'Obfuscated Files or Information'])), errors: [] },
    { name: 'Sigma writes ids only: its names come from the catalogue, not from the author', configured: '19.2', files: sigma(['attack.defense-evasion', 'attack.t1027']), errors: [] },
    {
      name: 'TA0005 "Defense Evasion" in a native rule that declares 19',
      configured: '18.1',
      files: { 'r.yml': nativeRule({ attack_version: 19, threat: [threat(DE)] }) },
      errors: [{ at: /name: Defense Evasion/, message: /^tactic TA0005 is named "Stealth" in ATT&CK 19\.2 \(declared by the rule\), not "Defense Evasion"$/ }],
    },
    {
      name: 'TA0005 "Defense Evasion" configured 19.2',
      configured: '19.2',
      files: native(threat(DE)),
      errors: [{ at: /name: Defense Evasion/, message: /tactic TA0005 is named "Stealth" in ATT&CK 19\.2, not "Defense Evasion"/, hint: /Set the name to "Stealth"/ }],
    },
    {
      name: 'the 18 name of a moved sub-technique',
      configured: '18.1',
      files: native(threat(DI, TOOLS19, ['T1685.001', 'Disable Windows Event Logging'])),
      errors: [{ at: /name: Disable Windows Event Logging/, message: /^sub-technique T1685\.001 is named "Disable or Modify Windows Event Log" in ATT&CK 19\.2 \(the rule uses TA0112, T1685, T1685\.001, which only ATT&CK 19\.2 has\), not "Disable Windows Event Logging"$/ }],
    },
  ]),
);

const elastic = (tags: string[], tactic: [string, string], metadata = '') => ({
  'r.toml': `[metadata]
creation_date = "2026/05/01"
${metadata}
[rule]
name = "Elastic Threat"
rule_id = "33333333-3333-4333-8333-333333333333"
type = "eql"
query = "process where true"
tags = [${tags.map((x) => JSON.stringify(x)).join(', ')}]

[[rule.threat]]
framework = "MITRE ATT&CK"
[rule.threat.tactic]
id = "${tactic[0]}"
name = "${tactic[1]}"
`,
});

t.test('attack/tactic-tags and declared releases in Elastic TOML', (t) =>
  runVersionCases(t, attackTacticTags, [
    { name: 'Tactic: Defense Impairment on an ATT&CK 19 rule', configured: '18.1', files: elastic(['Tactic: Defense Impairment'], DI), errors: [] },
    { name: 'Tactic: Stealth, declared 19', configured: '18.1', files: elastic(['Tactic: Stealth'], STEALTH, 'attack_version = "19"'), errors: [] },
    {
      name: 'Tactic: Defense Evasion, declared 19',
      configured: '18.1',
      files: elastic(['Tactic: Defense Evasion'], DE, 'attack_version = "19"'),
      errors: [{ at: /^tags = /, message: /the primary tactic Stealth has no "Tactic: Stealth" tag/ }, { at: /^tags = /, message: /tag "Tactic: Defense Evasion" names a tactic the threat mapping does not list/ }],
    },
  ]),
);

t.test('attack/version: a declared release ruleproof does not ship', (t) =>
  runVersionCases(t, attackVersion, [
    { name: 'declares 19', configured: '18.1', files: sigma(['attack.stealth'], 'attack_version: 19\n'), errors: [] },
    { name: 'declares nothing', configured: '18.1', files: sigma(['attack.stealth']), errors: [] },
    {
      name: 'declares 12',
      configured: '18.1',
      files: sigma(['attack.execution'], 'attack_version: "12"\n'),
      errors: [{ at: /^attack_version/, message: /ATT&CK 12 is not a release ruleproof ships \(18\.1, 19\.2\); the rule is checked against ATT&CK 18\.1/, hint: /Declare one of: 18\.1, 19\.2/ }],
    },
  ]),
);

t.test('ruleAttackVersion says how the release was chosen', async (t) => {
  const { rules } = await load(t, {
    'a.yml': nativeRule({ id: 'aaaaaaaa-1b7a-4a4e-9a55-1f0c1d2e3f40', threat: [threat(DI, TOOLS19)] }),
    'b.yml': nativeRule({ id: 'bbbbbbbb-1b7a-4a4e-9a55-1f0c1d2e3f40', threat: [threat(DE, MODREG)] }),
    'c.yml': sigma(['attack.execution'], 'attack_version: 19\n')['r.yml']!,
  });
  const base = loadAttackCatalogue('18.1');
  const byFile = new Map(rules.map((r) => [r.source.file, ruleAttackVersion(r, base)]));
  t.match(byFile.get('a.yml'), { how: 'inferred', evidence: ['TA0112', 'T1685'] });
  t.equal(byFile.get('a.yml')?.catalogue.version, '19.2');
  t.match(byFile.get('b.yml'), { how: 'default', evidence: [] });
  t.equal(byFile.get('b.yml')?.catalogue, base);
  t.match(byFile.get('c.yml'), { how: 'declared', declaredAt: 'attack_version' });
  t.equal(byFile.get('c.yml')?.catalogue.version, '19.2');
});

t.test('lint --fix fixes each rule against its own release', async (t) => {
  const { computeFixes } = await import('../../src/lint/fix.js');
  const cases: Array<{ name: string; configured: string; threat: Record<string, unknown>[]; fixed: string[] }> = [
    { name: 'an 18.1 rule keeps Defense Evasion', configured: '18.1', threat: [threat(DE, MODREG)], fixed: [] },
    { name: 'an ATT&CK 19 rule keeps Stealth under a configured 18.1', configured: '18.1', threat: [threat(STEALTH, ['T1027', 'Obfuscated Files or Information'])], fixed: [] },
    {
      name: 'the 18 name of a 19 sub-technique becomes its 19 name',
      configured: '18.1',
      threat: [threat(DI, TOOLS19, ['T1685.001', 'Disable Windows Event Logging'])],
      fixed: ['name of T1685.001 set to "Disable or Modify Windows Event Log" (ATT&CK 19.2)'],
    },
    { name: 'configured 19.2 renames TA0005', configured: '19.2', threat: [threat(DE)], fixed: ['name of TA0005 set to "Stealth" (ATT&CK 19.2)'] },
  ];
  for (const c of cases) {
    const { rules } = await load(t, { 'r.yml': nativeRule({ threat: c.threat }) });
    const fixes = computeFixes(rules, loadAttackCatalogue(c.configured)).flatMap((f) => f.fixes.map((x) => x.description));
    t.same(fixes, c.fixed, c.name);
  }
});
