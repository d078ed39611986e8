#!/usr/bin/env node
/**
 * Build ruleproof's compact ATT&CK catalogues from MITRE's data, so the product never needs the STIX
 * bundle (or ../shared) at run time. Several versions sit side by side in the output folder.
 *
 *   node scripts/build-attack-catalogue.mjs [--from DIR] [--version 18.1] [--out src/lint/attack]
 *   node scripts/build-attack-catalogue.mjs --from src/lint/attack/sources --version 19.2
 *
 * Reads from DIR (default ../shared/attack) the first of:
 *   `enterprise-attack-<version>.core.stix.json`, `.full.stix.json.gz`, the upstream single-file
 *   `enterprise-attack-<version>.json` (STIX bundles), or `enterprise-attack-<version>.extract.txt`
 *   (a line-per-entry extract of a STIX bundle, for releases whose bundle cannot be had here; its
 *   header names where it came from, see src/lint/attack/sources/README.md)
 * and writes `enterprise-attack-<version>.json` (tactics; techniques and sub-techniques with their
 * tactics, platforms, deprecated/revoked flags and revoked-by successor), then rewrites
 * `LICENSE-ATTACK.md` to name every catalogue in the output folder and its source.
 * When DIR also holds our earlier derived `enterprise-attack-<version>.compact.json`, the result
 * is cross-checked against it and any difference is printed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
      console.log('usage: node scripts/build-attack-catalogue.mjs [--from DIR] [--version 18.1|19.2] [--out DIR]');
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
    `enterprise-attack-${version}.extract.txt`,
  ];
  for (const name of candidates) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    const text = name.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    if (name.endsWith('.extract.txt')) return { file: name, extract: text };
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

/**
 * The extract format (one `|`-separated entry per line, `#@ key: value` provenance header): tactics
 * `TA0005|Stealth|stealth` in matrix order, techniques `T1685.001|Name|tactic,…|platform,…|flags`
 * with flags empty, `D` (deprecated), `R` or `R>T1234` (revoked, with its successor). Every entry is
 * checked for consistency, because an extract is easier to damage than a STIX bundle.
 */
function buildFromExtract(text, version, sourceFile) {
  const meta = {};
  const tactics = [];
  const techniques = [];
  const problems = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const at = `${sourceFile}:${index + 1}`;
    if (!line) return;
    if (line.startsWith('#@')) {
      const m = /^#@\s*([\w-]+):\s*(.*)$/.exec(line);
      if (m) meta[m[1]] = m[2].trim();
      return;
    }
    if (line.startsWith('#')) return;
    const fields = line.split('|');
    if (/^TA\d{4}$/.test(fields[0])) {
      if (fields.length !== 3 || !fields[1] || !/^[a-z]+(-[a-z]+)*$/.test(fields[2])) problems.push(`${at}: a tactic is TA<id>|name|shortname`);
      else tactics.push({ id: fields[0], name: fields[1], shortname: fields[2] });
      return;
    }
    if (!/^T\d{4}(\.\d{3})?$/.test(fields[0]) || fields.length !== 5 || !fields[1]) {
      problems.push(`${at}: a technique is T<id>|name|tactics|platforms|flags`);
      return;
    }
    const [id, name, tacticList, platformList, flags] = fields;
    const entry = { id, name, tactics: tacticList ? tacticList.split(',') : [] };
    if (id.includes('.')) entry.parent = id.split('.')[0];
    if (platformList) entry.platforms = platformList.split(',');
    if (flags === 'D') entry.deprecated = true;
    else if (flags === 'R' || flags.startsWith('R>')) {
      entry.revoked = true;
      if (flags.startsWith('R>')) entry.revokedBy = flags.slice(2);
    } else if (flags) problems.push(`${at}: unknown flags "${flags}"`);
    techniques.push(entry);
  });
  if (meta.version && meta.version !== version) problems.push(`${sourceFile} says it is ATT&CK ${meta.version}, not ${version}`);
  const shortnames = new Set(tactics.map((t) => t.shortname));
  const ids = new Map();
  for (const t of techniques) {
    if (ids.has(t.id)) problems.push(`${t.id} is listed twice`);
    ids.set(t.id, t);
  }
  for (const t of techniques) {
    for (const s of t.tactics) if (!shortnames.has(s)) problems.push(`${t.id}: unknown tactic "${s}"`);
    if (!t.revoked && !t.deprecated && !t.tactics.length) problems.push(`${t.id}: a current technique without tactics`);
    if (t.parent && !ids.has(t.parent)) problems.push(`${t.id}: parent ${t.parent} is not listed`);
    if (t.revokedBy) {
      const next = ids.get(t.revokedBy);
      if (!next) problems.push(`${t.id}: successor ${t.revokedBy} is not listed`);
      else if (next.deprecated) problems.push(`${t.id}: successor ${t.revokedBy} is deprecated`);
    }
  }
  if (problems.length) throw new Error(`the extract ${sourceFile} is inconsistent:\n  ${problems.slice(0, 50).join('\n  ')}`);
  techniques.sort(compareIds);
  const order = new Map(tactics.map((t, i) => [t.shortname, i]));
  for (const t of techniques) t.tactics.sort((a, b) => (order.get(a) ?? 99) - (order.get(b) ?? 99));
  const source = {
    data: meta.data ?? `MITRE ATT&CK Enterprise ${version}`,
    ...(meta.repository ? { repository: meta.repository } : {}),
    ...(meta.commit ? { commit: meta.commit } : {}),
    file: meta.file ? `${sourceFile} (from ${meta.file})` : sourceFile,
    ...(meta.upstream ? { upstream: meta.upstream } : {}),
    builtBy: 'scripts/build-attack-catalogue.mjs',
  };
  return catalogueOf(version, source, tactics, techniques, meta.copyright ?? /^\d{4}/.exec(meta.upstream_modified ?? '')?.[0]);
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

  return catalogueOf(
    version,
    { data: 'MITRE ATT&CK Enterprise, STIX 2.0', repository: 'https://github.com/mitre/cti', file: sourceFile, builtBy: 'scripts/build-attack-catalogue.mjs' },
    tactics,
    techniques,
    /^\d{4}/.exec(matrix.modified ?? '')?.[0],
  );
}

function catalogueOf(version, source, tactics, techniques, copyright) {
  return {
    format: 'ruleproof-attack/1',
    domain: 'enterprise-attack',
    version,
    source,
    ...(copyright ? { copyright } : {}),
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

/** The catalogues in the output folder, oldest first, so the notice covers every version shipped. */
function shippedCatalogues(dir) {
  return readdirSync(dir)
    .filter((f) => /^enterprise-attack-\d+(\.\d+)*\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')))
    .sort((a, b) => a.version.localeCompare(b.version, 'en', { numeric: true }));
}

function describeSource(c) {
  const s = c.source ?? {};
  const where = [s.repository, s.commit ? `commit ${s.commit}` : undefined].filter(Boolean).join(', ');
  return `\`enterprise-attack-${c.version}.json\`: **MITRE ATT&CK® Enterprise ${c.version}** (${c.copyright ? `© ${c.copyright} ` : ''}The MITRE Corporation), from ${s.data ?? 'MITRE ATT&CK data'}` +
    ` (\`${s.file ?? '?'}\`${where ? `; ${where}` : ''}${s.upstream ? `; upstream ${s.upstream}` : ''}).`;
}

function licenseNotice(catalogues) {
  const years = [...new Set(catalogues.map((c) => c.copyright).filter(Boolean))].sort();
  const year = years.length ? years.join(', ') : '2025';
  return `# MITRE ATT&CK® data

The \`enterprise-attack-<version>.json\` files in this folder are compact extracts (tactics; techniques and
sub-techniques with their names, tactics, platforms, deprecated/revoked flags and revoked-by successors) of
MITRE ATT&CK® Enterprise, built by \`scripts/build-attack-catalogue.mjs\`. Nothing but the fields listed was
kept; names and identifiers are copied unchanged. Where each came from (details in \`sources/README.md\`):

${catalogues.map((c) => `- ${describeSource(c)}`).join('\n')}

© ${year} The MITRE Corporation. This work is reproduced and distributed with the permission of The MITRE
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
const { file, bundle, extract } = readBundle(args.from, args.version);
const catalogue = extract !== undefined ? buildFromExtract(extract, args.version, file) : build(bundle, args.version, file);
mkdirSync(args.out, { recursive: true });
const outFile = path.join(args.out, `enterprise-attack-${args.version}.json`);
writeFileSync(outFile, render(catalogue));
writeFileSync(path.join(args.out, 'LICENSE-ATTACK.md'), licenseNotice(shippedCatalogues(args.out)));
const differences = crossCheck(catalogue, args.from);
console.log(`wrote ${path.relative(process.cwd(), outFile)}: ${JSON.stringify(catalogue.counts)}`);
if (differences.length) {
  console.error(`cross-check against the compact summary: ${differences.length} difference(s)`);
  for (const d of differences.slice(0, 50)) console.error(`  ${d}`);
  process.exitCode = 1;
} else if (existsSync(path.join(args.from, `enterprise-attack-${args.version}.compact.json`))) {
  console.log('cross-check against the compact summary: identical ids, names, tactics and revocations');
}
