/**
 * SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer), rendered from a lint, test or
 * check report: one run, the rule metadata of every code that occurs, a result per finding with its
 * location, and partial fingerprints that do not depend on line numbers so that alerts track the
 * same problem across commits.
 */
import { BUILTIN_CHECKS } from '../lint/checks/index.js';
import type { Severity } from '../util/diagnostics.js';
import { reportParts, type GatingReport } from './markdown.js';
import { fingerprints, reportFindings, type Finding } from './sarif-findings.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
/** The partialFingerprints key; bump the suffix if the fingerprint recipe ever changes. */
export const FINGERPRINT_KEY = 'ruleproofFingerprint/v1';

type SarifLevel = 'error' | 'warning' | 'note';

export interface SarifRegion {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

export interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region?: SarifRegion };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties?: Record<string, unknown>;
}

export interface SarifReportingDescriptor {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri?: string;
  help?: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[] };
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<{
    tool: { driver: { name: string; version: string; semanticVersion: string; informationUri?: string; rules: SarifReportingDescriptor[] } };
    automationDetails: { id: string };
    columnKind: 'unicodeCodePoints';
    originalUriBaseIds: Record<string, { description: { text: string } }>;
    invocations: Array<{ executionSuccessful: boolean; exitCode: number }>;
    results: SarifResult[];
  }>;
}

export interface SarifOptions {
  /** Code-scanning category (`automationDetails.id`); default `ruleproof/<command>/`. */
  category?: string;
  informationUri?: string;
}

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

/** What codes outside the lint checks mean, by prefix or exact code. */
const OTHER_CODES: Array<{ match: (code: string) => boolean; text: string; tag: string }> = [
  { match: (c) => c === 'test/fail', text: 'A test of the detection rule failed: the rule did not fire, or fired, not as the test expects.', tag: 'test' },
  { match: (c) => c === 'test/error', text: 'A test of the detection rule could not run (its dataset is missing or unreadable, or the rule does not compile).', tag: 'test' },
  { match: (c) => c === 'test/unsupported', text: 'A test of the detection rule cannot run: the rule uses a language or feature ruleproof does not support. Never counted as passing.', tag: 'test' },
  { match: (c) => c === 'replay/unsupported', text: 'The rule cannot be run by ruleproof (unsupported language or feature); its tests are reported as not run.', tag: 'replay' },
  { match: (c) => c.startsWith('replay/'), text: 'A problem replaying the rule\'s tests.', tag: 'replay' },
  { match: (c) => c.startsWith('query/'), text: 'A problem in the rule\'s query.', tag: 'query' },
  { match: (c) => c.startsWith('load/'), text: 'The rule file could not be loaded as written.', tag: 'load' },
  { match: (c) => c.startsWith('dataset/'), text: 'A problem with a dataset a test replays.', tag: 'dataset' },
  { match: (c) => c.startsWith('config/'), text: 'A problem in ruleproof.config.yml.', tag: 'config' },
];

function descriptor(code: string, firstSeverity: Severity): SarifReportingDescriptor {
  const check = BUILTIN_CHECKS.find((c) => c.id === code);
  if (check) {
    const d: SarifReportingDescriptor = {
      id: code,
      name: ruleName(code),
      shortDescription: { text: firstSentence(check.docs.description) },
      fullDescription: { text: check.docs.description },
      defaultConfiguration: { level: LEVEL[check.defaultSeverity] },
      properties: { tags: ['ruleproof', 'lint', code.split('/')[0] as string] },
    };
    if (check.docs.url) d.helpUri = check.docs.url;
    return d;
  }
  const known = OTHER_CODES.find((o) => o.match(code));
  const text = known?.text ?? `ruleproof finding ${code}.`;
  return {
    id: code,
    name: ruleName(code),
    shortDescription: { text: firstSentence(text) },
    fullDescription: { text },
    defaultConfiguration: { level: LEVEL[firstSeverity] },
    properties: { tags: ['ruleproof', known?.tag ?? code.split('/')[0] ?? 'other'] },
  };
}

/** `attack/technique-name` → `AttackTechniqueName` (SARIF's rule names are identifiers). */
function ruleName(code: string): string {
  return code
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');
}

function firstSentence(text: string): string {
  const m = /^(.+?[.!?])(\s|$)/.exec(text.trim());
  return (m?.[1] ?? text).trim();
}

function location(f: Finding): SarifLocation {
  const loc: SarifLocation = { physicalLocation: { artifactLocation: { uri: encodeUriPath(f.file), uriBaseId: '%SRCROOT%' } } };
  if (f.line > 0) {
    const region: SarifRegion = { startLine: f.line };
    if (f.column > 0) region.startColumn = f.column;
    if (f.endLine !== undefined && f.endLine >= f.line) region.endLine = f.endLine;
    if (f.endColumn !== undefined && f.endColumn > 0 && (region.endLine === undefined || region.endLine > f.line || f.endColumn > (f.column || 0))) {
      region.endColumn = f.endColumn;
    }
    loc.physicalLocation.region = region;
  }
  return loc;
}

/** A repository-relative path as a relative URI reference (spaces, `#`, `%`, `?` escaped). */
export function encodeUriPath(file: string): string {
  return file
    .replace(/\\/g, '/')
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/%3A/gi, ':').replace(/%40/g, '@'))
    .join('/');
}

export function renderSarif(report: GatingReport, options: SarifOptions = {}): SarifLog {
  const parts = reportParts(report);
  const findings = reportFindings(report);
  const prints = fingerprints(findings);
  const codes = [...new Set(findings.map((f) => f.code))].sort();
  const rules = codes.map((code) => descriptor(code, (findings.find((f) => f.code === code) as Finding).severity));
  const index = new Map(codes.map((c, i) => [c, i]));
  const results: SarifResult[] = findings.map((f, i) => {
    const text = f.details ? `${f.message}\n\n${f.details}` : f.message;
    const result: SarifResult = {
      ruleId: f.code,
      ruleIndex: index.get(f.code) as number,
      level: LEVEL[f.severity],
      message: { text },
      locations: [location(f)],
      partialFingerprints: { [FINGERPRINT_KEY]: prints[i] as string },
    };
    if (f.rule || f.test) {
      result.properties = {
        ...(f.rule ? { ruleId: f.rule.id, ruleVersion: f.rule.version, ruleName: f.rule.name, ruleFile: f.rule.file } : {}),
        ...(f.test ? { testName: f.test.name, dataset: f.test.dataset, expect: f.test.expect } : {}),
      };
    }
    return result;
  });
  const version = report.tool.version;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ruleproof',
            version,
            semanticVersion: /^\d+\.\d+\.\d+/.test(version) ? version : '0.0.0',
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            rules,
          },
        },
        automationDetails: { id: options.category ?? `ruleproof/${parts.command}/` },
        columnKind: 'unicodeCodePoints',
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The repository root (where ruleproof.config.yml is).' } } },
        invocations: [{ executionSuccessful: parts.exitCode !== 2, exitCode: parts.exitCode }],
        results,
      },
    ],
  };
}

export function renderSarifText(report: GatingReport, options: SarifOptions = {}): string {
  return JSON.stringify(renderSarif(report, options), null, 2) + '\n';
}
