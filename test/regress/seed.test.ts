/**
 * The seed history as the demonstration: "Incoming Execution via PowerShell Remoting" 102 → 107 →
 * 215 and "WMI Incoming Lateral Movement" 100 → 218, replayed over the OTRF captures and the
 * Nessus/SCCM fixtures, each showing what the bump changed.
 */
import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { regressFiles } from '../../src/regress/index.js';
import type { DatasetDiff } from '../../src/regress/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const options = { root, rules: ['detections'] };
const PSR_102 = 'detections/history/incoming_execution_via_powershell_remoting_v102.yml';
const PSR_107 = 'detections/history/incoming_execution_via_powershell_remoting_v107.yml';
const PSR_NOW = 'detections/lateral_movement_powershell_remoting_target.toml';
const WMI_100 = 'detections/history/wmi_incoming_lateral_movement_v100.yml';
const WMI_NOW = 'detections/lateral_movement_incoming_wmi.toml';

const byFile = (datasets: DatasetDiff[]) => Object.fromEntries(datasets.map((d) => [d.dataset.split('/').pop() as string, d]));

t.test('PowerShell remoting 102 → 107: the query changed with a bump, no alert moved', async (t) => {
  const report = await regressFiles(PSR_102, PSR_107, options);
  t.equal(report.exitCode, 0);
  const [rule] = report.rules;
  t.equal(rule?.version.verdict, 'ok');
  t.match(rule?.version.message, /102 → 107/);
  t.same(rule?.behaviourChanges.map((f) => f.field), ['query']);
  t.same(rule?.metadataChanges.map((f) => f.field), ['tags', 'threat'], 'the Execution mapping and new-style tags');
  t.ok(rule?.datasets.length, 'replayed over its datasets');
  t.ok(rule?.datasets.every((d) => d.verdict === 'same' && d.oldAlerts === 0 && d.newAlerts === 0), 'both versions blind on Sysmon data');
});

t.test('PowerShell remoting 107 → 215: dropping network.protocol == "http" gains the two WinRM detections', async (t) => {
  const report = await regressFiles(PSR_107, PSR_NOW, options);
  t.equal(report.exitCode, 0, 'gains where the new tests expect fire are for review, not failures');
  const [rule] = report.rules;
  t.equal(rule?.new?.version, 215, 'version from the Elastic version lock');
  t.equal(rule?.version.verdict, 'ok');
  t.ok(rule?.behaviourChanges.some((f) => f.field === 'query'));
  const d = byFile(rule?.datasets ?? []);
  const stager = d['empire_psremoting_stager_2020-09-20170827.json'];
  t.equal(stager?.expect, 'fire');
  t.same([stager?.oldAlerts, stager?.newAlerts, stager?.gained.length, stager?.lost.length], [0, 1, 1, 0]);
  t.equal(stager?.verdict, 'review');
  t.equal(stager?.gained[0]?.events.at(-1)?.fields['process.parent.name'], 'wsmprovhost.exe');
  const grunt = d['covenant_psremoting_grunt_2019-12-05014931.json'];
  t.same([grunt?.oldAlerts, grunt?.newAlerts, grunt?.verdict], [0, 1, 'review']);
  t.equal(d['covenant_psremoting_command_2020-08-06115603.json']?.verdict, 'same');
  t.equal(report.summary.alertsGained, 2);
  t.equal(report.summary.alertsLost, 0);
});

t.test('WMI 100 → 218: Nessus no longer excluded, SCCM variant dropped, the Empire detection re-joined on port 135', async (t) => {
  const report = await regressFiles(WMI_100, WMI_NOW, options);
  t.equal(report.exitCode, 0);
  const [rule] = report.rules;
  t.equal(rule?.version.verdict, 'ok');
  t.match(rule?.version.message, /100 → 218/);
  const d = byFile(rule?.datasets ?? []);
  const empire = d['empire_wmi_dcerpc_wmi_IWbemServices_ExecMethod_2020-09-21001437.json'];
  t.same([empire?.oldAlerts, empire?.newAlerts, empire?.gained.length, empire?.lost.length, empire?.rematched.length], [1, 1, 0, 0, 1]);
  t.equal(empire?.rematched[0]?.old.events.at(-1)?.key, empire?.rematched[0]?.new.events.at(-1)?.key, 'the same WmiPrvSE child');
  t.equal(empire?.rematched[0]?.new.events[0]?.fields['destination.port'], 135, 'now joined with the endpoint-mapper connection');
  const nessus = d['nessus_wmi_scan.xml'];
  t.same([nessus?.oldAlerts, nessus?.newAlerts, nessus?.expect, nessus?.verdict], [0, 1, 'fire', 'review']);
  t.equal(nessus?.gained[0]?.events.at(-1)?.fields['process.name'], 'cmd.exe');
  const sccm = d['sccm_wmi_client_actions.xml'];
  t.same([sccm?.oldAlerts, sccm?.newAlerts, sccm?.verdict], [0, 0, 'same']);
});

t.test('the reverse direction fails: 218 → 100 loses the Nessus alert its tests expect', async (t) => {
  const report = await regressFiles(WMI_NOW, WMI_100, options);
  const [rule] = report.rules;
  t.equal(rule?.version.verdict, 'version-decreased');
  const nessus = byFile(rule?.datasets ?? [])['nessus_wmi_scan.xml'];
  t.equal(nessus?.expect, 'quiet', "the old version's tests expect quiet there, so a lost alert is for review");
  t.equal(rule?.verdict, 'fail', 'the version went down');
  t.equal(report.exitCode, 1);
});
