/** `ruleproof lock [--update]`: check or update ruleproof.lock.json (id → version + behaviour hash). */
import { writeFileSync } from 'node:fs';
import type { ChalkInstance } from 'chalk';
import { loadRules } from '../rules/index.js';
import { RULEPROOF_LOCK } from '../rules/lock.js';
import { TOOL_VERSION } from '../util/version.js';
import { checkLock, lockPath, readLock, serializeLock, updateLock, type LockFinding } from '../regress/lock.js';
import { renderDiagnostics } from '../report/console-diagnostics.js';
import type { RuleproofConfig } from './config.js';
import type { CliIO } from './main.js';

export interface LockCliOptions {
  update?: boolean;
  format: 'console' | 'json';
}

function line(f: LockFinding, c: ChalkInstance, verb?: string): string {
  const mark = verb ? c.green('✓') : f.fixable ? c.yellow('!') : c.red('✗');
  return `${mark} ${f.name} (${f.id})${f.file ? ` ${c.dim(f.file)}` : ''}: ${verb ? `${verb}: ` : ''}${f.message}`;
}

export async function lockCommand(io: CliIO, config: RuleproofConfig, paths: string[], opts: LockCliOptions, color: ChalkInstance): Promise<number> {
  const loaded = await loadRules(paths.length ? paths : config.rules, { root: config.root });
  const loadErrors = loaded.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'load/lock-file');
  if (loadErrors.length) {
    io.stderr(renderDiagnostics(loadErrors, color) + '\n');
    return 2;
  }
  const lock = readLock(config.root);
  if (opts.update) {
    const { lock: next, unresolved, changes } = updateLock(loaded.rules, lock, config.root);
    if (changes.length) writeFileSync(lockPath(config.root), serializeLock(next));
    const exitCode = unresolved.length ? 1 : 0;
    if (opts.format === 'json') {
      io.stdout(JSON.stringify({ schemaVersion: 1, tool: { name: 'ruleproof', version: TOOL_VERSION }, command: 'lock', update: true, changes, unresolved, exitCode }, null, 2) + '\n');
    } else {
      for (const f of changes) io.stdout(line(f, color, f.kind === 'removed' ? 'dropped' : f.kind === 'bump-required' ? 'bumped' : 'recorded') + '\n');
      for (const f of unresolved) io.stdout(line(f, color) + '\n');
      io.stdout(
        (changes.length ? `${RULEPROOF_LOCK} updated: ${changes.length} entr${changes.length === 1 ? 'y' : 'ies'}` : `${RULEPROOF_LOCK} already up to date`) +
          (unresolved.length ? `; ${unresolved.length} rule(s) need a version increase in their own files` : '') +
          '\n',
      );
    }
    return exitCode;
  }
  const findings = checkLock(loaded.rules, lock, config.root);
  const failing = findings.filter((f) => f.kind !== 'removed');
  const exitCode = failing.length ? 1 : 0;
  if (opts.format === 'json') {
    io.stdout(JSON.stringify({ schemaVersion: 1, tool: { name: 'ruleproof', version: TOOL_VERSION }, command: 'lock', update: false, findings, exitCode }, null, 2) + '\n');
  } else {
    for (const f of findings) io.stdout(line(f, color) + '\n');
    io.stdout(
      failing.length
        ? color.red(`${failing.length} rule(s) disagree with ${RULEPROOF_LOCK}`) + (failing.some((f) => f.fixable) ? ' (`ruleproof lock --update` records the fixable ones)' : '') + '\n'
        : color.green(`✓ ${RULEPROOF_LOCK} matches the ${Object.keys(lock.rules).length} locked rule(s)`) + '\n',
    );
  }
  return exitCode;
}
