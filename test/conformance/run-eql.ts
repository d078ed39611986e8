/**
 * `npm run conformance`: runs the EQL conformance suites and prints `N passed, M failed` per suite
 * (with `-- --json`: one JSON object keyed by suite on stdout, `{passed, failed, unsupported}`; `-- --verbose`: every failing case).
 */
import { runSuites } from './eql-suites.js';

const json = process.argv.includes('--json');
const verbose = process.argv.includes('--verbose');
const results = runSuites();
if (json) {
  const out: Record<string, { passed: number; failed: number; unsupported: number }> = {};
  for (const [id, rs] of results) {
    out[id] = { passed: rs.filter((r) => r.passed).length, failed: rs.filter((r) => !r.passed).length, unsupported: rs.filter((r) => r.unsupported).length };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
} else {
  for (const [id, rs] of results) {
    const passed = rs.filter((r) => r.passed).length;
    const unsupported = rs.filter((r) => r.unsupported).length;
    process.stdout.write(`${id}: ${passed} passed, ${rs.length - passed} failed${unsupported ? ` (${unsupported} of them unsupported features)` : ''}\n`);
    if (verbose) for (const r of rs) if (!r.passed) process.stdout.write(`  - ${r.name}: ${r.detail}\n`);
  }
}
