#!/usr/bin/env node
/**
 * Build ruleproof's compact ATT&CK catalogue from MITRE's STIX data, so the product never needs the
 * STIX bundle (or ../shared) at run time.
 *
 *   node scripts/build-attack-catalogue.mjs [--from DIR] [--version 18.1] [--out src/lint/attack]
 *
 * Reads `enterprise-attack-<version>.core.stix.json` (or `.full.stix.json.gz`, or the upstream
 * single-file `enterprise-attack-<version>.json`) from DIR (default ../shared/attack) and writes
 * `enterprise-attack-<version>.json` (tactics; techniques and sub-techniques with their tactics,
 * platforms, deprecated/revoked flags and revoked-by successor) plus `LICENSE-ATTACK.md`.
 * When DIR also holds our earlier derived `enterprise-attack-<version>.compact.json`, the result
 * is cross-checked against it and any difference is printed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const args = { from: path.resolve(repoRoot, '../shared/attack'), version: '18.1', out: path.join(repoRoot, 'src/lint/attack') };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--from' && value) args.from = path.resolve(value);
    else if (flag === '--version' && value) args.version = value;
    else if (flag === '--out' && value) args.out = path.resolve(value);
    else if (flag === '--help' || flag === '-h') {
      console.log('usage: node scripts/build-attack-catalogue.mjs [--from DIR] [--version 18.1] [--out DIR]');
      process.exit(0);
    } else {
      console.error(`unknown argument: ${flag}`);
      process.exit(2);
    }
    i++;
  }
  return args;
}

function readBundle(dir, version) {
  const candidates = [
    `enterprise-attack-${version}.core.stix.json`,
    `enterprise-attack-${version}.full.stix.json.gz`,
    `enterprise-attack-${version}.json`,
  ];
  for (const name of candidates) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    const text = name.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    return { file: name, bundle: JSON.parse(text) };
  }
  throw new Error(`no STIX bundle for ATT&CK ${version} in ${dir} (looked for ${candidates.join(', ')})`);
}

function attackId(object) {
  return (object.external_references ?? []).find((r) => r.source_name === 'mitre-attack')?.external_id;
}

function compareIds(a, b) {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function build(bundle, version, sourceFile) {
  const objects = bundle.objects ?? [];
  const byStixId = new Map(objects.map((o) => [o.id, o]));
  const matrix = objects.find((o) => o.type === 'x-mitre-matrix' && attackId(o) === 'enterprise-attack');
  if (!matrix) throw new Error('the bundle has no enterprise-attack matrix');

  const tactics = matrix.tactic_refs.map((ref) => {
    const t = byStixId.get(ref);
    if (!t) throw new Error(`matrix tactic ${ref} is not in the bundle`);
    return { id: attackId(t), name: t.name, shortname: t.x_mitre_shortname };
  });

  const relationships = objects.filter((o) => o.type === 'relationship' && !o.revoked && !o.x_mitre_deprecated);
  const parentOf = new Map();
  const revokedBy = new Map();
  for (const r of relationships) {
    if (r.relationship_type === 'subtechnique-of') parentOf.set(r.source_ref, r.target_ref);
    if (r.relationship_type === 'revoked-by') revokedBy.set(r.source_ref, r.target_ref);
  }

  const techniques = [];
  for (const o of objects) {
    if (o.type !== 'attack-pattern') continue;
    const id = attackId(o);
    if (!id || !(o.x_mitre_domains ?? ['enterprise-attack']).includes('enterprise-attack')) continue;
    const entry = {
      id,
      name: o.name,
      tactics: (o.kill_chain_phases ?? []).filter((p) => p.kill_chain_name === 'mitre-attack').map((p) => p.phase_name),
    };
    if (o.x_mitre_is_subtechnique) {
      const parent = parentOf.get(o.id);
      entry.parent = parent ? attackId(byStixId.get(parent)) : id.split('.')[0];
    }
    if (o.x_mitre_platforms?.length) entry.platforms = [...o.x_mitre_platforms];
    if (o.x_mitre_deprecated) entry.deprecated = true;
    if (o.revoked) {
      entry.revoked = true;
      const successor = revokedBy.get(o.id);
      const successorId = successor ? attackId(byStixId.get(successor) ?? {}) : undefined;
      if (successorId) entry.revokedBy = successorId;
    }
    techniques.push(entry);
  }
  techniques.sort(compareIds);
  // Keep tactic lists in matrix order, so output does not depend on the order STIX lists phases in.
  const order = new Map(tactics.map((t, i) => [t.shortname, i]));
  for (const t of techniques) t.tactics.sort((a, b) => (order.get(a) ?? 99) - (order.get(b) ?? 99));

  return {
    format: 'ruleproof-attack/1',
    domain: 'enterprise-attack',
    version,
    source: {
      data: 'MITRE ATT&CK Enterprise, STIX 2.0',
      repository: 'https://github.com/mitre/cti',
      file: sourceFile,
      builtBy: 'scripts/build-attack-catalogue.mjs',
    },
    license: 'ATT&CK Terms of Use; see LICENSE-ATTACK.md. © The MITRE Corporation.',
    counts: {
      tactics: tactics.length,
      techniques: techniques.filter((t) => !t.parent && !t.revoked && !t.deprecated).length,
      subtechniques: techniques.filter((t) => t.parent && !t.revoked && !t.deprecated).length,
      revoked: techniques.filter((t) => t.revoked).length,
      deprecated: techniques.filter((t) => t.deprecated && !t.revoked).length,
    },
    tactics,
    techniques,
  };
}

/** One entry per line: small, and a new ATT&CK release shows up as a readable diff. */
function render(catalogue) {
  const { tactics, techniques, ...head } = catalogue;
  const lines = JSON.stringify(head, null, 2).split('\n');
  lines.pop();
  lines[lines.length - 1] += ',';
  lines.push('  "tactics": [');
  lines.push(tactics.map((t) => `    ${JSON.stringify(t)}`).join(',\n'));
  lines.push('  ],');
  lines.push('  "techniques": [');
  lines.push(techniques.map((t) => `    ${JSON.stringify(t)}`).join(',\n'));
  lines.push('  ]');
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Differences against the derived compact summary shipped beside the STIX data, if any. */
function crossCheck(catalogue, dir) {
  const file = path.join(dir, `enterprise-attack-${catalogue.version}.compact.json`);
  if (!existsSync(file)) return [];
  const compact = JSON.parse(readFileSync(file, 'utf8'));
  const problems = [];
  const ours = new Map(catalogue.techniques.map((t) => [t.id, t]));
  for (const t of compact.techniques ?? []) {
    const mine = ours.get(t.id);
    if (!mine) problems.push(`${t.id} is in the compact summary only`);
    else {
      if (mine.name !== t.name) problems.push(`${t.id}: name ${JSON.stringify(mine.name)} vs ${JSON.stringify(t.name)}`);
      if (!!mine.revoked !== !!t.revoked) problems.push(`${t.id}: revoked differs`);
      if ((mine.revokedBy ?? null) !== (t.revoked_by ?? null)) problems.push(`${t.id}: revoked-by ${mine.revokedBy} vs ${t.revoked_by}`);
      if (JSON.stringify(mine.tactics) !== JSON.stringify(t.tactics)) problems.push(`${t.id}: tactics ${mine.tactics} vs ${t.tactics}`);
    }
  }
  if ((compact.techniques ?? []).length !== catalogue.techniques.length) {
    problems.push(`technique count ${catalogue.techniques.length} vs ${(compact.techniques ?? []).length} in the compact summary`);
  }
  for (const t of compact.tactics ?? []) {
    const mine = catalogue.tactics.find((x) => x.id === t.id);
    if (!mine || mine.name !== t.name || mine.shortname !== t.shortname) problems.push(`tactic ${t.id} differs`);
  }
  return problems;
}

function licenseNotice(catalogue, sourceFile) {
  return `# MITRE ATT&CK® data

\`enterprise-attack-${catalogue.version}.json\` in this folder is a compact extract (tactics; techniques and
sub-techniques with their names, tactics, platforms, deprecated/revoked flags and revoked-by successors) of
**MITRE ATT&CK® Enterprise ${catalogue.version}**, built by \`scripts/build-attack-catalogue.mjs\` from MITRE's
STIX 2.0 data (\`${sourceFile}\`, from the \`mitre/cti\` repository, https://github.com/mitre/cti). Nothing
but the fields listed was kept; names and identifiers are copied unchanged.

© 2025 The MITRE Corporation. This work is reproduced and distributed with the permission of The MITRE
Corporation.

## License (ATT&CK® Terms of Use, reproduced from mitre/cti \`LICENSE.txt\`)

The MITRE Corporation (MITRE) hereby grants you a non-exclusive, royalty-free license to use ATT&CK® for
research, development, and commercial purposes. Any copy you make for such purposes is authorized provided that
you reproduce MITRE's copyright designation and this license in any such copy.

"© 2025 The MITRE Corporation. This work is reproduced and distributed with the permission of The MITRE
Corporation."

### Disclaimers

MITRE does not claim ATT&CK enumerates all possibilities for the types of actions and behaviors documented as
part of its adversary model and framework of techniques. Using the information contained within ATT&CK to
address or cover full categories of techniques will not guarantee full defensive coverage as there may be
undisclosed techniques or variations on existing techniques not documented by ATT&CK.

ALL DOCUMENTS AND THE INFORMATION CONTAINED THEREIN ARE PROVIDED ON AN "AS IS" BASIS AND THE CONTRIBUTOR, THE
ORGANIZATION HE/SHE REPRESENTS OR IS SPONSORED BY (IF ANY), THE MITRE CORPORATION, ITS BOARD OF TRUSTEES,
OFFICERS, AGENTS, AND EMPLOYEES, DISCLAIM ALL WARRANTIES, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO ANY
WARRANTY THAT THE USE OF THE INFORMATION THEREIN WILL NOT INFRINGE ANY RIGHTS OR ANY IMPLIED WARRANTIES OF
MERCHANTABILITY OR FITNESS FOR A PARTICULAR PURPOSE.
`;
}

const args = parseArgs(process.argv.slice(2));
const { file, bundle } = readBundle(args.from, args.version);
const catalogue = build(bundle, args.version, file);
mkdirSync(args.out, { recursive: true });
const outFile = path.join(args.out, `enterprise-attack-${args.version}.json`);
writeFileSync(outFile, render(catalogue));
writeFileSync(path.join(args.out, 'LICENSE-ATTACK.md'), licenseNotice(catalogue, file));
const differences = crossCheck(catalogue, args.from);
console.log(`wrote ${path.relative(process.cwd(), outFile)}: ${JSON.stringify(catalogue.counts)}`);
if (differences.length) {
  console.error(`cross-check against the compact summary: ${differences.length} difference(s)`);
  for (const d of differences.slice(0, 50)) console.error(`  ${d}`);
  process.exitCode = 1;
} else if (existsSync(path.join(args.from, `enterprise-attack-${args.version}.compact.json`))) {
  console.log('cross-check against the compact summary: identical ids, names, tactics and revocations');
}
