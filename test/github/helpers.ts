/** Shared by the GitHub tests: run the CLI in-process, and a small scratch repository with a failing test. */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type CliIO } from '../../src/cli/main.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function ruleproof(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd, isTTY: false, env: { NO_COLOR: '1', ...env } };
  const code = await main(['node', 'ruleproof', ...args], io);
  return { code, stdout, stderr };
}

export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'ruleproof-gh-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const WMI_RULE = 'detections/lateral_movement_incoming_wmi.toml';
export const WMI_TESTS = 'detections/lateral_movement_incoming_wmi.tests.yml';

/**
 * The bundled WMI rule with tests on the small synthetic captures only; with `failing`, one test
 * expects an alert that the SCCM exclusion prevents, so it fails with an explanation.
 */
export function scratchRepo(t: { teardown(fn: () => void): void }, options: { failing?: boolean; history?: boolean } = {}): string {
  const dir = tempDir(t, 'ruleproof-gh-repo-');
  writeFileSync(path.join(dir, 'ruleproof.config.yml'), 'rules: [detections]\ndatasets: [datasets]\n');
  for (const f of [WMI_RULE, 'detections/etc/version.lock.json', 'datasets/synthetic', ...(options.history ? [WMI_V100] : [])]) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    cpSync(path.join(repoRoot, f), path.join(dir, f), { recursive: true });
  }
  writeFileSync(
    path.join(dir, WMI_TESTS),
    [
      'rule: f3475224-b179-4f78-8877-c2bd64c26b88',
      'tests:',
      '  - name: Nessus credentialed scan through WMI',
      '    dataset: datasets/synthetic/nessus_wmi_scan.xml',
      '    expect: fire',
      '  - name: SCCM client actions',
      '    dataset: datasets/synthetic/sccm_wmi_client_actions.xml',
      `    expect: ${options.failing ? 'fire' : 'quiet'}`,
      '    reason: Configuration Manager runs WMI children as SYSTEM.',
      '',
    ].join('\n'),
  );
  if (options.history) {
    // WMI v100 with its tests on the synthetic captures only.
    const text = readFileSync(path.join(repoRoot, WMI_V100), 'utf8');
    const head = text.slice(0, text.indexOf('\ntests:\n') + 1);
    writeFileSync(
      path.join(dir, WMI_V100),
      head +
        [
          'tests:',
          '  - name: SCCM client actions through WMI are excluded',
          '    dataset: datasets/synthetic/sccm_wmi_client_actions.xml',
          '    expect: quiet',
          '    reason: process.args exclusions.',
          '  - name: Nessus scan writing report.txt (negative control)',
          '    dataset: datasets/synthetic/nessus_wmi_scan_report_txt.xml',
          '    expect: fire',
          '',
        ].join('\n'),
    );
  }
  return dir;
}

export const WMI_V100 = 'detections/history/wmi_incoming_lateral_movement_v100.yml';
