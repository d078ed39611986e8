/**
 * Run-wide dataset reading options (a module of its own, without the readers, so the command line
 * can set them without loading the whole event pipeline).
 */
import type { ReadOptions } from './types.js';

/**
 * Read options every `openDataset` of this process starts from (its own options win): the CLI sets
 * them from run-wide flags such as `--rebase`, so that every command replaying datasets honours
 * them without each passing them down. They are mirrored in an environment variable because
 * `--jobs` reads datasets on worker threads, which start with a copy of the environment but not
 * of this module's state.
 */
export type ReadingDefaults = Partial<Pick<ReadOptions, 'rebase' | 'reorderWindowMs' | 'timeOrder' | 'wholeSortLimit' | 'maxDecompressedBytes' | 'maxCompressionRatio'>>;

const READING_DEFAULTS_ENV = 'RULEPROOF_READ_DEFAULTS';
let readingDefaults: ReadingDefaults | undefined;

export function currentDefaults(): ReadingDefaults {
  if (readingDefaults) return readingDefaults;
  const inherited = process.env[READING_DEFAULTS_ENV];
  if (!inherited) return {};
  try {
    const parsed: unknown = JSON.parse(inherited);
    return parsed && typeof parsed === 'object' ? (parsed as ReadingDefaults) : {};
  } catch {
    return {};
  }
}

/** The reading defaults in force (for cache keys: a rebased or reordered replay is a different replay). */
export function datasetReadingDefaults(): ReadingDefaults {
  return { ...currentDefaults() };
}

export function configureDatasetReading(defaults: ReadingDefaults): void {
  readingDefaults = { ...defaults };
  if (Object.keys(defaults).length) process.env[READING_DEFAULTS_ENV] = JSON.stringify(defaults);
  else delete process.env[READING_DEFAULTS_ENV];
}
