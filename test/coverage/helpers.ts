/** Shared set-up for the coverage tests: the fixture rules replayed over the bundled datasets. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules } from '../../src/rules/index.js';
import { replayTests } from '../../src/replay/runner.js';
import { buildTestReport } from '../../src/report/test-report.js';
import { loadAttackCatalogue } from '../../src/lint/attack/catalogue.js';
import { buildCoverage, type CoverageReport } from '../../src/coverage/model.js';
import type { Rule } from '../../src/rules/model.js';
import type { TestReport } from '../../src/replay/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURE_RULES = 'test/fixtures/coverage/rules';

export interface Fixture {
  rules: Rule[];
  test: TestReport;
  coverage: CoverageReport;
}

let cached: Promise<Fixture> | undefined;

/** Loaded and replayed once per test file (each tap file is its own process). */
export function fixtureCoverage(): Promise<Fixture> {
  cached ??= (async () => {
    const loaded = await loadRules([FIXTURE_RULES], { root: repoRoot });
    if (loaded.diagnostics.length) throw new Error(`fixture rules do not load: ${JSON.stringify(loaded.diagnostics)}`);
    const outcome = await replayTests(loaded.rules, { root: repoRoot });
    const test = buildTestReport(outcome, loaded.diagnostics, 0);
    const coverage = buildCoverage(loaded.rules, test, loadAttackCatalogue('18.1'), {
      datasets: [{ path: 'datasets/example/only-declared.json', techniques: ['T1003.001'] }],
    });
    return { rules: loaded.rules, test, coverage };
  })();
  return cached;
}
