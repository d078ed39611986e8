#!/usr/bin/env node
/**
 * Builds src/events/views/schemas/field-schemas.json, the compact field schemas the ECS field view
 * and `query/unknown-field` use, from public sources already fetched as git mirrors (the `fetch`
 * tool). It never runs in CI or at run time: run it by hand when a source moves, review the diff,
 * commit the JSON and update the README beside it.
 *
 *   node scripts/build-field-schemas.mjs \
 *     --ecs /work/.mirror/elastic+ecs/repo --ecs-ref v9.4.0 \
 *     --endpoint /work/.mirror/elastic+endpoint-package/repo [--endpoint-ref HEAD] \
 *     --integrations /tmp/integrations-subset [--integrations-ref REF] \
 *     --detection-rules /work/.mirror/elastic+detection-rules/repo --beats-version 9.5.0 \
 *     [--out src/events/views/schemas/field-schemas.json]
 *
 * Sources:
 *  - ecs:      elastic/ecs `generated/ecs/ecs_flat.yml` at a release tag (every field, reuse expanded,
 *              with its multi-fields such as `.text`);
 *  - windows:  the Windows integration's own field files (elastic/integrations `packages/windows/data_stream/
 *              forwarded/fields/{winlog,fields}.yml`, given as `--integrations DIR`: a mirror with
 *              `--integrations-ref`, or a directory laid out like the repository), completed by
 *              the Winlogbeat field definitions (`winlog.*`, `powershell.*`, `sysmon.*`) that the
 *              Windows integration ships, as elastic/detection-rules keeps them for its own validation
 *              (`detection_rules/etc/beats_schemas/v<version>.json.gz`, the YAML files of elastic/beats
 *              parsed to JSON);
 *  - endpoint: Elastic Defend's package (elastic/endpoint-package `package/endpoint/data_stream/<stream>
 *              /fields/fields.yml`): the fields it adds beyond ECS (`process.Ext.*`, `file.Ext.*`, ...).
 * Each mirror may be a bare git directory or a work tree; files are read with `git show <ref>:<path>`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import YAML from 'yaml';

const args = parseArgs(process.argv.slice(2));
const out = resolve(args.out ?? 'src/events/views/schemas/field-schemas.json');

/** Elasticsearch mapping types folded onto the engine's FieldType (src/events/types.ts). */
const TYPE_MAP = {
  keyword: 'keyword', constant_keyword: 'keyword', wildcard: 'wildcard', text: 'text', match_only_text: 'match_only_text',
  long: 'long', integer: 'integer', short: 'short', byte: 'byte', unsigned_long: 'unsigned_long',
  float: 'float', half_float: 'float', double: 'double', scaled_float: 'scaled_float',
  ip: 'ip', date: 'date', date_nanos: 'date', boolean: 'boolean', version: 'version',
  object: 'object', nested: 'object', group: 'object', flattened: 'flattened', geo_point: 'geo_point',
  // Values that are searched as opaque strings.
  binary: 'keyword', histogram: 'object', alias: 'keyword',
};
const unmappedTypes = new Map();
function fieldType(esType) {
  const t = TYPE_MAP[esType ?? 'keyword'];
  if (t) return t;
  unmappedTypes.set(esType, (unmappedTypes.get(esType) ?? 0) + 1);
  return 'keyword';
}

function git(repo, ...rest) {
  return execFileSync('git', ['-C', repo, ...rest], { maxBuffer: 512 * 1024 * 1024 });
}
function commitOf(repo, ref) {
  return git(repo, 'rev-parse', `${ref}^{commit}`).toString().trim();
}
function show(repo, ref, path) {
  return git(repo, 'show', `${ref}:${path}`);
}

// ---- ECS -------------------------------------------------------------------------------------
function buildEcs(repo, ref) {
  const flat = YAML.parse(show(repo, ref, 'generated/ecs/ecs_flat.yml').toString('utf8'), { maxAliasCount: -1 });
  const fields = new Map();
  const dynamic = new Map();
  const arrays = [];
  for (const [name, def] of Object.entries(flat)) {
    fields.set(name, fieldType(def.type));
    // ECS marks the fields that hold several values (`normalize: [array]`): lint must not treat
    // `x == "a" and x == "b"` on them as a contradiction.
    if ((def.normalize ?? []).includes('array')) arrays.push(name);
    if ((def.type === 'object' || def.type === 'flattened') && def.object_type) dynamic.set(`${name}.`, fieldType(def.object_type));
    for (const multi of def.multi_fields ?? []) fields.set(`${name}.${multi.name}`, fieldType(multi.type));
  }
  const version = show(repo, ref, 'version').toString('utf8').trim();
  return { fields, dynamic, version, arrays: arrays.sort() };
}

// ---- Fields files in the Beats / Fleet package format (nested `group`s) -----------------------
/** Flattens a Beats/package `fields.yml` list into `name -> type`, with object prefixes as dynamic. */
function flattenFieldsYml(list, prefix, fields, dynamic) {
  for (const def of list ?? []) {
    if (!def || typeof def !== 'object' || typeof def.name !== 'string') continue;
    const name = prefix ? `${prefix}.${def.name}` : def.name;
    if (def.type === 'group' || (Array.isArray(def.fields) && def.type === undefined)) {
      // A group is an object: it exists as a name too (queries test it with `: *`).
      if (!fields.has(name)) fields.set(name, 'object');
      flattenFieldsYml(def.fields, name, fields, dynamic);
      continue;
    }
    if (def.external === 'ecs' && def.type === undefined) continue; // an ECS field, defined by ECS
    const type = def.type === 'object' && def.object_type ? 'object' : fieldType(def.type);
    fields.set(name, type);
    if ((def.type === 'object' || def.type === 'flattened') && (def.object_type || def.object_type_mapping_type)) {
      dynamic.set(`${name}.`, fieldType(def.object_type === '*' ? 'keyword' : def.object_type ?? 'keyword'));
    }
    for (const multi of def.multi_fields ?? []) fields.set(`${name}.${multi.name}`, fieldType(multi.type));
  }
}

// ---- Windows integration (elastic/integrations packages/windows) ------------------------------
/** The `forwarded` data stream carries every channel (Security, PowerShell, Sysmon), so its fields are the union. */
const INTEGRATION_FILES = ['packages/windows/data_stream/forwarded/fields/winlog.yml', 'packages/windows/data_stream/forwarded/fields/fields.yml'];
/**
 * `dir` is a mirror (with `ref`) or a directory laid out like the repository; a plain directory may
 * hold COMMITS.json naming the commit each file was copied from.
 */
function buildIntegration(dir, ref) {
  const fields = new Map();
  const dynamic = new Map();
  const files = [];
  let commits = {};
  if (!ref && existsSync(join(dir, 'COMMITS.json'))) commits = JSON.parse(readFileSync(join(dir, 'COMMITS.json'), 'utf8')).files ?? {};
  for (const path of INTEGRATION_FILES) {
    const text = ref ? show(dir, ref, path).toString('utf8') : readFileSync(join(dir, path), 'utf8');
    flattenFieldsYml(YAML.parse(text), '', fields, dynamic);
    files.push({ path, commit: ref ? commitOf(dir, ref) : commits[path] ?? 'unknown' });
  }
  return { fields, dynamic, files };
}

// ---- Winlogbeat fields (what the Windows integration was derived from) -------------------------
function buildWinlogbeat(repo, ref, beatsVersion) {
  const path = `detection_rules/etc/beats_schemas/v${beatsVersion}.json.gz`;
  const tree = JSON.parse(gunzipSync(show(repo, ref, path)).toString('utf8'));
  const winlogbeat = tree.winlogbeat;
  if (!winlogbeat) throw new Error(`${path}: no winlogbeat subtree`);
  const fields = new Map();
  const dynamic = new Map();
  const files = [];
  collectFiles(winlogbeat, 'winlogbeat', files);
  for (const [file, content] of files.sort((a, b) => a[0].localeCompare(b[0]))) {
    if (!/fields(\.common)?\.yml$/.test(file) || !Array.isArray(content)) continue;
    // Each Beats fields file is a list of "keys" whose `fields` hold the real top-level names.
    for (const key of content) flattenFieldsYml(key.fields, '', fields, dynamic);
  }
  return { fields, dynamic, path };
}
function collectFiles(node, path, outList) {
  for (const [name, content] of Object.entries(node.files ?? {})) outList.push([`${path}/${name}`, content]);
  for (const [name, sub] of Object.entries(node.folders ?? {})) collectFiles(sub, `${path}/${name}`, outList);
}

// ---- Elastic Defend ---------------------------------------------------------------------------
/** The event and alert data streams rules query (not the agent's own metrics/policy/actions). */
const ENDPOINT_STREAMS = ['alerts', 'api', 'collection', 'device', 'file', 'library', 'network', 'process', 'registry', 'security'];
function buildEndpoint(repo, ref) {
  const fields = new Map();
  const dynamic = new Map();
  for (const stream of ENDPOINT_STREAMS) {
    const text = show(repo, ref, `package/endpoint/data_stream/${stream}/fields/fields.yml`).toString('utf8');
    flattenFieldsYml(YAML.parse(text, { maxAliasCount: -1 }), '', fields, dynamic);
  }
  const manifest = YAML.parse(show(repo, ref, 'package/endpoint/manifest.yml').toString('utf8'));
  return { fields, dynamic, version: String(manifest.version) };
}

// ---- Output -----------------------------------------------------------------------------------
/** `{type: [names...]}`, both levels sorted, so the file diffs cleanly between builds. */
function byType(fields) {
  const grouped = {};
  for (const [name, type] of [...fields].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) (grouped[type] ??= []).push(name);
  return Object.fromEntries(Object.entries(grouped).sort((a, b) => a[0].localeCompare(b[0])));
}
function sortedObject(map) {
  return Object.fromEntries([...map].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}
/** Drops what a base schema already defines with the same type (the endpoint package repeats ECS). */
function minus(fields, base) {
  return new Map([...fields].filter(([name, type]) => base.get(name) !== type));
}

function main() {
  for (const required of ['ecs', 'ecs-ref', 'endpoint', 'integrations', 'detection-rules', 'beats-version']) {
    if (!args[required]) usage(`missing --${required}`);
  }
  const endpointRef = args['endpoint-ref'] ?? 'HEAD';
  const rulesRef = args['detection-rules-ref'] ?? 'HEAD';
  const ecs = buildEcs(args.ecs, args['ecs-ref']);
  const integration = buildIntegration(args.integrations, args['integrations-ref']);
  const winlogbeat = buildWinlogbeat(args['detection-rules'], rulesRef, args['beats-version']);
  // The integration's definitions win; Winlogbeat adds the names the package no longer lists.
  const windows = {
    fields: new Map([...winlogbeat.fields, ...integration.fields]),
    dynamic: new Map([...winlogbeat.dynamic, ...integration.dynamic]),
  };
  const endpoint = buildEndpoint(args.endpoint, endpointRef);
  // The Windows fields are kept apart from ECS only where Winlogbeat adds or retypes them.
  const windowsOwn = new Map([...windows.fields].filter(([name]) => /^(winlog|powershell|sysmon)\./.test(name) || name === 'winlog' || name === 'powershell' || name === 'sysmon'));
  const windowsDynamic = new Map([...windows.dynamic].filter(([name]) => /^(winlog|powershell|sysmon)\./.test(name)));
  const endpointOwn = minus(endpoint.fields, ecs.fields);
  const endpointDynamic = new Map([...endpoint.dynamic].filter(([p]) => ecs.dynamic.get(p) !== endpoint.dynamic.get(p)));

  const document = {
    about:
      'Generated by scripts/build-field-schemas.mjs from the public sources below; do not edit by hand. ' +
      'Each schema lists field names grouped by Elasticsearch type (folded onto the engine\'s FieldType); ' +
      '`dynamic` gives the type of any field under a prefix (object fields with an object_type); `arrays` lists ' +
      'the ECS fields that hold several values (normalize: array). ' +
      'See README.md beside this file for origin and licences.',
    sources: {
      ecs: { repository: 'elastic/ecs', ref: args['ecs-ref'], commit: commitOf(args.ecs, args['ecs-ref']), path: 'generated/ecs/ecs_flat.yml', version: ecs.version, licence: 'Apache-2.0' },
      windows: { repository: 'elastic/integrations', files: integration.files, licence: 'Elastic-2.0' },
      winlogbeat: { repository: 'elastic/detection-rules', ref: rulesRef, commit: commitOf(args['detection-rules'], rulesRef), path: winlogbeat.path, subtree: 'winlogbeat', version: args['beats-version'], licence: 'Elastic-2.0' },
      endpoint: { repository: 'elastic/endpoint-package', ref: endpointRef, commit: commitOf(args.endpoint, endpointRef), path: `package/endpoint/data_stream/{${ENDPOINT_STREAMS.join(',')}}/fields/fields.yml`, version: endpoint.version, licence: 'Elastic-2.0' },
    },
    schemas: {
      ecs: { fields: byType(ecs.fields), dynamic: sortedObject(ecs.dynamic), arrays: ecs.arrays },
      windows: { fields: byType(windowsOwn), dynamic: sortedObject(windowsDynamic) },
      endpoint: { fields: byType(endpointOwn), dynamic: sortedObject(endpointDynamic) },
    },
  };
  mkdirSync(dirname(out), { recursive: true });
  // One type list per line keeps the file compact yet diffable.
  const text = JSON.stringify(document, (key, value) => value, 1)
    .replace(/\[\n\s*([^\]{}]*?)\n\s*\]/g, (_m, body) => `[${body.replace(/\n\s*/g, ' ')}]`);
  writeFileSync(out, `${text}\n`);
  const count = (m) => m.size;
  console.log(`ecs ${ecs.version}: ${count(ecs.fields)} fields; windows: ${count(windowsOwn)}; endpoint ${endpoint.version}: ${count(endpointOwn)} beyond ECS`);
  if (unmappedTypes.size) console.log(`types folded to keyword: ${[...unmappedTypes].map(([t, n]) => `${t} (${n})`).join(', ')}`);
  console.log(`wrote ${out}`);
}

function parseArgs(argv) {
  const parsed = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) usage(`unexpected argument ${arg}`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) usage(`--${arg.slice(2)} needs a value`);
    parsed[arg.slice(2)] = value;
    i++;
  }
  return parsed;
}
function usage(message) {
  console.error(`build-field-schemas: ${message}`);
  console.error('usage: node scripts/build-field-schemas.mjs --ecs DIR --ecs-ref TAG --endpoint DIR [--endpoint-ref REF] --integrations DIR [--integrations-ref REF] --detection-rules DIR [--detection-rules-ref REF] --beats-version X.Y.Z [--out FILE]');
  process.exit(2);
}

main();
