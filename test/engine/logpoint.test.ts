import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import type { Alert } from '../../src/engine/types.js';
import type { ReplayEvent } from '../../src/events/types.js';
import { proc, sysmon } from './spl-helpers.js';

function run(q: string, events: ReplayEvent[]): string[] {
  const r = compileQuery(q, { language: 'logpoint', fieldView: 'logpoint' });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const alerts: Alert[] = [];
  const d = r.query.newDetector((a) => alerts.push(a));
  for (const e of events) d.push(e);
  d.finish();
  return alerts.flatMap((a) => a.events.map((e) => e.key));
}

const wsm = proc({ image: 'C:\\Windows\\System32\\wsmprovhost.exe', cmd: 'C:\\Windows\\system32\\wsmprovhost.exe -Embedding', parent: 'C:\\Windows\\System32\\svchost.exe', pid: 20 });
const other = proc({ image: 'C:\\Windows\\System32\\cmd.exe', cmd: 'cmd.exe /c whoami', parent: 'C:\\Windows\\System32\\wsmprovhost.exe', pid: 21 });
const end = sysmon(5, { ProcessGuid: '{1}', ProcessId: '20', Image: 'C:\\Windows\\System32\\wsmprovhost.exe' });
const load = sysmon(7, { ProcessGuid: '{2}', ProcessId: '20', Image: 'C:\\Windows\\System32\\svchost.exe', ImageLoaded: 'C:\\Windows\\System32\\wsmsvc.dll' });
const net = sysmon(3, { ProcessGuid: '{3}', ProcessId: '900', Image: 'C:\\Windows\\System32\\svchost.exe', Protocol: 'tcp', Initiated: 'false', SourceIp: '10.0.0.5', SourcePort: '50000', DestinationIp: '10.0.0.9', DestinationPort: '5985' });
const all = [wsm, other, end, load, net];

t.test('CAR-2014-11-004 as written', async (t) => {
  t.same(run('norm_id=WindowsSysmon event_id=1 image="*\\wsmprovhost.exe" parent_image="*\\svchost.exe"', all), [wsm.key]);
});

t.test('terms, wildcards, case, boolean structure', async (t) => {
  t.same(run('image="*\\WSMPROVHOST.EXE"', all), [wsm.key, end.key], 'case-insensitive wildcard; termination events carry the image too');
  t.same(run('image="*\\wsmsvc.dll"', all), [load.key], 'image of an image load is the loaded module');
  t.same(run('command="cmd.exe /c whoami"', all), [other.key], 'exact value, case-insensitive');
  t.same(run('event_id=1 parent_image="*\\wsmprovhost.exe" OR event_id=3', all), [other.key, net.key], 'OR of implicit ANDs');
  t.same(run('event_id=1 NOT image="*\\cmd.exe"', all), [wsm.key], 'NOT');
  t.same(run('event_id=1 image!="*\\cmd.exe"', all), [wsm.key], '!=');
  t.same(run('event_id IN [3, 7]', all), [load.key, net.key], 'IN [ … ]');
  t.same(run('destination_port>=5985 destination_port<5986', all), [net.key], 'numeric comparisons');
  t.same(run('(event_id=5 OR event_id=7) AND process_id=20', all), [end.key, load.key], 'parentheses and AND');
  t.same(run('user=*', all), [wsm.key, other.key], 'user=* : the field exists');
  t.same(run('norm_id=WinServer', all), [], 'every event here is Sysmon');
});

t.test('unsupported and syntax errors', async (t) => {
  const err = (q: string) => {
    const r = compileQuery(q, { language: 'logpoint', fieldView: 'logpoint' });
    return r.ok ? undefined : r.errors[0];
  };
  t.match(err('event_id=1 | chart count() by host'), { kind: 'unsupported', message: 'not supported: LogPoint command chart', column: 12 });
  t.match(err('event_id=1 wsmprovhost'), { kind: 'unsupported', message: /free-text term "wsmprovhost"/ });
  t.match(err('event_id=1 (image="x"'), { kind: 'syntax', message: 'missing )' });
  t.match(err('image="unterminated'), { kind: 'syntax', message: /unterminated/ });
  const unknown = compileQuery('no_such_field=1 image=x', { language: 'logpoint', fieldView: 'logpoint' });
  t.same(unknown.ok ? unknown.query.unknownFields : [], [{ name: 'no_such_field', line: 1, column: 1 }]);
});
