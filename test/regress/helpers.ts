/** Temporary git repositories with small native rules and NDJSON datasets, for the regress tests. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main, type CliIO } from '../../src/cli/main.js';

export interface Repo {
  dir: string;
  write(file: string, content: string): void;
  remove(file: string): void;
  git(...args: string[]): string;
  commit(message: string): string;
}

export function tempRepo(t: { teardown(fn: () => void): void }): Repo {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-regress-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 't@example.test', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 't@example.test', GIT_CONFIG_NOSYSTEM: '1' },
    }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'core.autocrlf', 'false');
  const write = (file: string, content: string) => {
    const abs = path.join(dir, file);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  };
  write('ruleproof.config.yml', 'rules: [detections]\ndatasets: [datasets]\n');
  return {
    dir,
    write,
    remove: (file) => unlinkSync(path.join(dir, file)),
    git,
    commit: (message) => {
      git('add', '-A');
      git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}

export interface RuleSpec {
  id: string;
  version?: number;
  name: string;
  description?: string;
  severity?: string;
  query: string;
  tests?: Array<{ name: string; dataset: string; expect: 'fire' | 'quiet'; reason?: string }>;
}

export function nativeRule(spec: RuleSpec): string {
  const lines = [`id: ${spec.id}`];
  if (spec.version !== undefined) lines.push(`version: ${spec.version}`);
  lines.push(`name: ${spec.name}`);
  if (spec.description) lines.push(`description: ${spec.description}`);
  if (spec.severity) lines.push(`severity: ${spec.severity}`);
  lines.push('query:', '  language: eql', '  field_view: ecs', '  text: |', ...spec.query.split('\n').map((l) => `    ${l}`));
  if (spec.tests?.length) {
    lines.push('tests:');
    for (const t of spec.tests) {
      lines.push(`  - name: ${t.name}`, `    dataset: ${t.dataset}`, `    expect: ${t.expect}`);
      if (t.expect === 'quiet') lines.push(`    reason: ${t.reason ?? 'negative control'}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** One ECS process-start document per line, a second apart. */
export function processEvents(events: Array<{ name: string; args?: string[]; host?: string }>): string {
  return (
    events
      .map((e, i) =>
        JSON.stringify({
          '@timestamp': new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
          event: { category: ['process'], type: ['start'] },
          host: { name: e.host ?? 'h1', id: e.host ?? 'h1' },
          process: { name: e.name, args: e.args ?? [e.name], pid: 100 + i },
        }),
      )
      .join('\n') + '\n'
  );
}

export async function ruleproof(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd, isTTY: false, env: { NO_COLOR: '1' } };
  const code = await main(['node', 'ruleproof', ...args], io);
  return { code, stdout, stderr };
}
