/**
 * Preloaded into a measured child process (`node --import ./bench/rss-hook.mjs …`): on exit it
 * writes the process's peak resident set size and CPU time to the file named by BENCH_STATS.
 */
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_STATS;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRssKB: u.maxRSS, userMs: u.userCPUTime / 1000, systemMs: u.systemCPUTime / 1000 }));
  });
}
