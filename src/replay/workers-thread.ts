/**
 * A `--jobs` worker: compiles the rules it is sent, replays one dataset for them, posts the
 * results back (see `./workers.ts`). Rules that do not compile never reach a worker.
 */
import { parentPort } from 'node:worker_threads';
import type { CompiledQuery } from '../engine/types.js';
import type { Rule } from '../rules/model.js';
import { compileRule } from './runner.js';
import { replayPass, type AlertWants, type PassOptions } from './workers.js';

interface Request {
  file: string;
  dataset: string;
  rules: Rule[];
  wants: AlertWants[];
  options: PassOptions;
}

parentPort?.on('message', (req: Request) => {
  void (async () => {
    try {
      const queries: CompiledQuery[] = [];
      for (const rule of req.rules) {
        const c = compileRule(rule);
        if (!c.query) throw new Error(`rule ${rule.name} does not compile in a worker`);
        queries.push(c.query);
      }
      const result = await replayPass(req.file, req.dataset, queries, req.wants, req.options);
      parentPort?.postMessage({ ok: true, result });
    } catch (err) {
      parentPort?.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
    }
  })();
});
