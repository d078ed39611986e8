/**
 * The bundled ATT&CK catalogues (`enterprise-attack-<version>.json`, built by
 * scripts/build-attack-catalogue.mjs from MITRE's STIX data) with lookups by id, name and tactic
 * shortname. Several versions can sit side by side; lint picks one with `--attack-version`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ContentError } from '../../util/diagnostics.js';
import { assetPath } from '../../rules/assets.js';

export interface AttackTactic {
  id: string;
  name: string;
  /** The kill-chain phase name techniques use, e.g. `lateral-movement`. */
  shortname: string;
}

export interface AttackTechnique {
  /** `T1021` or, for a sub-technique, `T1021.006`. */
  id: string;
  name: string;
  /** Tactic shortnames, in matrix order. */
  tactics: string[];
  /** The parent technique of a sub-technique. */
  parent?: string;
  platforms?: string[];
  deprecated?: boolean;
  revoked?: boolean;
  /** The id that replaced a revoked technique. */
  revokedBy?: string;
}

/** Where a catalogue was built from (see src/lint/attack/sources/README.md). */
export interface AttackCatalogueSource {
  data: string;
  repository?: string;
  commit?: string;
  file: string;
  upstream?: string;
  builtBy: string;
}

export interface AttackCatalogueData {
  format: 'ruleproof-attack/1';
  domain: string;
  version: string;
  source?: AttackCatalogueSource;
  tactics: AttackTactic[];
  techniques: AttackTechnique[];
}

export class AttackCatalogue {
  readonly version: string;
  readonly domain: string;
  readonly source: AttackCatalogueSource | undefined;
  readonly tactics: readonly AttackTactic[];
  readonly techniques: readonly AttackTechnique[];
  private readonly tacticsById = new Map<string, AttackTactic>();
  private readonly tacticsByShortname = new Map<string, AttackTactic>();
  private readonly tacticsByName = new Map<string, AttackTactic>();
  private readonly techniquesById = new Map<string, AttackTechnique>();
  private readonly techniquesByName = new Map<string, AttackTechnique[]>();

  constructor(data: AttackCatalogueData) {
    this.version = data.version;
    this.domain = data.domain;
    this.source = data.source;
    this.tactics = data.tactics;
    this.techniques = data.techniques;
    for (const t of data.tactics) {
      this.tacticsById.set(t.id, t);
      this.tacticsByShortname.set(t.shortname, t);
      this.tacticsByName.set(t.name.toLowerCase(), t);
    }
    for (const t of data.techniques) {
      this.techniquesById.set(t.id, t);
      const key = t.name.toLowerCase();
      this.techniquesByName.set(key, [...(this.techniquesByName.get(key) ?? []), t]);
    }
  }

  tactic(id: string): AttackTactic | undefined {
    return this.tacticsById.get(id.trim().toUpperCase());
  }

  tacticByShortname(shortname: string): AttackTactic | undefined {
    return this.tacticsByShortname.get(shortname);
  }

  tacticByName(name: string): AttackTactic | undefined {
    return this.tacticsByName.get(name.trim().toLowerCase());
  }

  /** A technique or sub-technique, including revoked and deprecated ones. */
  technique(id: string): AttackTechnique | undefined {
    return this.techniquesById.get(id.trim().toUpperCase());
  }

  /** Techniques and sub-techniques with this name (case-insensitive); several sub-techniques share names. */
  techniquesNamed(name: string): AttackTechnique[] {
    return this.techniquesByName.get(name.trim().toLowerCase()) ?? [];
  }

  /** Follow revoked-by links to the technique that is current now. */
  successor(id: string): AttackTechnique | undefined {
    let current = this.technique(id);
    for (let hops = 0; current?.revoked && current.revokedBy && hops < 10; hops++) current = this.technique(current.revokedBy);
    return current && !current.revoked ? current : undefined;
  }
}

const CATALOGUE_FILE = /^enterprise-attack-(\d+(?:\.\d+)*)\.json$/;

function catalogueDir(): string {
  return assetPath('lint', 'attack');
}

/** Numeric order of release numbers: 9.0 < 18.1 < 19.2. */
export function compareAttackVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

let bundled: string[] | undefined;

/** Versions shipped with ruleproof, oldest first. */
export function bundledAttackVersions(): string[] {
  if (bundled) return [...bundled];
  const dir = catalogueDir();
  if (!existsSync(dir)) return [];
  bundled = readdirSync(dir)
    .map((f) => CATALOGUE_FILE.exec(f)?.[1])
    .filter((v): v is string => !!v)
    .sort(compareAttackVersions);
  return [...bundled];
}

const cache = new Map<string, AttackCatalogue>();

/**
 * The bundled release a version names (`18.1` itself; `18` or `v18` the newest bundled 18.x), or
 * undefined when none is bundled. The CLI and the configuration check their settings with it, so a
 * wrong one is reported where it was written.
 */
export function bundledAttackVersion(version: string): string | undefined {
  const wanted = String(version).trim().replace(/^v/i, '');
  const versions = bundledAttackVersions();
  return versions.find((v) => v === wanted) ?? [...versions].reverse().find((v) => v.startsWith(`${wanted}.`));
}

/** The catalogue for an ATT&CK version (`18.1`; `18` picks the newest bundled 18.x, `19` the newest 19.x). */
export function loadAttackCatalogue(version: string): AttackCatalogue {
  const wanted = String(version).trim().replace(/^v/i, '');
  const cached = cache.get(wanted);
  if (cached) return cached;
  const chosen = bundledAttackVersion(wanted);
  if (!chosen) {
    const versions = bundledAttackVersions();
    throw new ContentError({
      file: 'ruleproof.config.yml',
      line: 0,
      column: 0,
      severity: 'error',
      code: 'config/attack-version',
      message: `ATT&CK version "${version}" is not bundled with ruleproof (bundled: ${versions.join(', ') || 'none'})`,
      hint: `Set attack_version in ruleproof.config.yml or --attack-version to one of: ${versions.join(', ')}.`,
    });
  }
  // One instance per release, whichever spelling asked for it (`19`, `v19.2`), so callers can compare them.
  let catalogue = cache.get(chosen);
  if (!catalogue) {
    const data = JSON.parse(readFileSync(path.join(catalogueDir(), `enterprise-attack-${chosen}.json`), 'utf8')) as AttackCatalogueData;
    catalogue = new AttackCatalogue(data);
    cache.set(chosen, catalogue);
  }
  cache.set(wanted, catalogue);
  return catalogue;
}
