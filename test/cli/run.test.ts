/**
 * `ruleproof run --rule R --data FILE`: one rule's alerts on a dataset as NDJSON, written as they
 * come, with the count on stderr; `--explain` says why nothing fired.
 */
import t from 'tap';
import { runCli } from './helpers.js';

const WMI_RULE = 'detections/lateral_movement_incoming_wmi.toml';
const FIRES = 'datasets/otrf-security-datasets/empire_wmi_dcerpc_wmi_IWbemServices_ExecMethod_2020-09-21001437.json';
const QUIET = 'datasets/otrf-security-datasets/empire_psremoting_stager_2020-09-20170827.json';

const cli = (args: string[], cwd?: string) => runCli(args, cwd ? { cwd } : {});

t.test('the alerts of a rule that fires: one NDJSON line each, the count on stderr', async (t) => {
  const r = await cli(['run', '--rule', WMI_RULE, '--data', FIRES]);
  t.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { alert: string; rule: { id: string }; events: Array<{ event: { process?: { name?: string; parent?: { name?: string } } } }> });
  t.equal(lines.length, 1, 'the test sidecar says count: 1');
  t.equal(lines[0]?.rule.id, 'f3475224-b179-4f78-8877-c2bd64c26b88');
  const last = lines[0]?.events[lines[0].events.length - 1]?.event;
  t.equal(last?.process?.name, 'powershell.exe');
  t.equal(last?.process?.parent?.name, 'WmiPrvSE.exe');
  t.match(r.err, /^1 alert\(s\) from WMI Incoming Lateral Movement v\d+\n$/m);
});

t.test('nothing fires: no output, and --explain says how far the nearest events came', async (t) => {
  const plain = await cli(['run', '--rule', WMI_RULE, '--data', QUIET]);
  t.equal(plain.code, 0, plain.err);
  t.equal(plain.out, '');
  t.match(plain.err, /0 alert\(s\) from/);
  const explained = await cli(['run', '--rule', WMI_RULE, '--data', QUIET, '--explain']);
  t.equal(explained.out, '');
  t.match(explained.err, new RegExp(`${QUIET.replace(/[.]/g, '\\.')}: `));
  t.match(explained.err, /stage 1: \d+ matching event\(s\)/);
});

t.test('no rule matches: the load errors that may explain it, not the other rules\' notes', async (t) => {
  const none = await cli(['run', '--rule', 'no such rule', '--data', FIRES]);
  t.equal(none.code, 2);
  t.match(none.err, 'no rule matches "no such rule"');
  t.notMatch(none.err, 'is not executable', "an unrelated rule's info finding is not shown");
  const dir = t.testdir({
    'ruleproof.config.yml': 'rules: [detections]\n',
    detections: { 'broken.yml': 'title: Broken rule\nlogsource: {product: windows}\ndetection:\n  sel: {Image: x}\n  condition: [unclosed\n' },
    datasets: { 'd.ndjson': '{"@timestamp":"2024-01-01T00:00:00Z"}\n' },
  });
  const broken = await cli(['run', '--rule', 'Broken rule', '--data', 'datasets/d.ndjson'], dir);
  t.equal(broken.code, 2);
  t.match(broken.err, 'detections/broken.yml', 'the file that failed to load is named');
  t.match(broken.err, 'no rule matches "Broken rule"');
});
