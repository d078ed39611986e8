/** Running the CLI in-process, as the CLI tests do: its exit code and what it wrote. */
import { main, type CliIO } from '../../src/cli/main.js';
import { repoRoot } from '../events/helpers.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `ruleproof …args` in `cwd` (default: the repository) with `env` as its environment, no colour. */
export async function runCli(args: string[], { cwd = repoRoot, env = {} }: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd, isTTY: false, env };
  const code = await main(['node', 'ruleproof', ...args], io);
  return { code, out, err };
}
