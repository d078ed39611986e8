/**
 * Settings the CLI cannot use are refused with a message naming them, never silently replaced by a
 * default: numeric options (`--max-warnings`, `--jobs`) and the limit variables (`RULEPROOF_MAX_*`).
 */
import t from 'tap';
import { runCli } from './helpers.js';

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env });

t.test('a numeric option that is no whole number is a usage error that says so', async (t) => {
  for (const [args, flag, value] of [
    [['lint', '--max-warnings', 'abc'], '--max-warnings', 'abc'],
    [['lint', '--max-warnings', '-1'], '--max-warnings', '-1'],
    [['test', '--jobs', '1.5'], '--jobs', '1.5'],
    [['test', '--jobs', ''], '--jobs', ''],
  ] as const) {
    const r = await cli([...args]);
    t.equal(r.code, 2, `${args.join(' ')}: exit code 2`);
    t.match(r.err, `${flag} takes a whole number, got "${value}"`, `${args.join(' ')}: the message names the option and the value`);
    t.equal(r.out, '', 'nothing ran');
  }
});

t.test('--attack-version must name a bundled ATT&CK release', async (t) => {
  for (const args of [['lint', '--attack-version', '99'], ['coverage', '--attack-version', '17'], ['check', '--attack-version', 'latest']]) {
    const r = await cli(args);
    t.equal(r.code, 2, `${args.join(' ')}: exit code 2`);
    t.match(r.err, `option '--attack-version <version>' argument '${args[2]}' is invalid. ATT&CK version "${args[2]}" is not bundled with ruleproof (bundled: 18.1, 19.2).`);
    t.equal(r.out, '', 'nothing ran');
  }
  const ok = await cli(['lint', 'detections/lateral_movement_incoming_wmi.toml', '--attack-version', '19', '-f', 'json']);
  t.equal(ok.code, 0, ok.err);
});

t.test('a limit variable that is no positive whole number stops the run before it starts', async (t) => {
  const r = await cli(['events', 'datasets/'], { RULEPROOF_MAX_LINE_BYTES: '64M', RULEPROOF_MAX_REORDER_EVENTS: '0', RULEPROOF_MAX_YAML_DEPTH: '32' });
  t.equal(r.code, 2);
  t.equal(r.out, '', 'no events were read');
  t.match(r.err, 'RULEPROOF_MAX_LINE_BYTES="64M" is not a positive whole number (the default is 16777216)');
  t.match(r.err, 'RULEPROOF_MAX_REORDER_EVENTS="0" is not a positive whole number (the default is 10000)');
  t.notMatch(r.err, 'RULEPROOF_MAX_YAML_DEPTH', 'a valid setting is not reported');
});

t.test('valid and empty limit variables are accepted', async (t) => {
  const r = await cli(['lint', 'detections/lateral_movement_incoming_wmi.toml', '-f', 'json'], { RULEPROOF_MAX_LINE_BYTES: '1048576', RULEPROOF_MAX_REGEX_LENGTH: '' });
  t.equal(r.code, 0, r.err);
  t.equal(r.err, '');
  t.ok(JSON.parse(r.out), 'the lint ran and wrote its report');
});

t.test('a test run that fails outside its tests does not end on a green mark', async (t) => {
  const r = await cli(['test', 'no-such-dir']);
  t.equal(r.code, 2);
  t.match(r.out + r.err, 'rule path "no-such-dir" does not exist');
  t.match(r.out, /✗ 0 rules, 0 tests: 0 passed, 0 failed, 0 errors, 0 unsupported; 1 other error\(s\) above/);
  t.notMatch(r.out, '✓', 'no pass mark');
  const ok = await cli(['test', 'detections/lateral_movement_incoming_wmi.toml']);
  t.equal(ok.code, 0, ok.err);
  t.match(ok.out, /✓ 1 rules, \d+ tests: \d+ passed, 0 failed, 0 errors, 0 unsupported \(/);
});
