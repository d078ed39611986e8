/** EventData names with spaces (Windows Defender) are reached by the Sigma name without spaces. */
import t from 'tap';
import { hits, rule, win } from './sigma-helpers.js';

const DEFENDER = 'Microsoft-Windows-Windows Defender/Operational';
const detection = "sel:\n    EventID: 1119\n    'SourceName|contains': 'Real-Time'\ncondition: sel";
const logsource = 'product: windows\n    service: windefend';

t.test('a spaced EventData name matches the Sigma name written without spaces', async (t) => {
  const text = rule(detection, logsource);
  t.ok(hits(text, win(DEFENDER, 1119, { 'Source Name': 'Real-Time Protection', 'Threat Name': 'HackTool:Win32/Mimikatz' })));
  t.notOk(hits(text, win(DEFENDER, 1119, { 'Source Name': 'Scheduled scan' })), 'the value still has to match');
  t.ok(hits(text, win(DEFENDER, 1119, { SourceName: 'Real-Time Protection' })), 'the exact name still works');
  t.ok(hits(text, win(DEFENDER, 1119, { SourceName: 'Real-Time Protection', 'Source Name': 'other' })), 'and wins over the spaced one');
  t.notOk(hits(text, win(DEFENDER, 1119, { 'Threat Name': 'x' })), 'a missing field stays missing');
});

t.test('events with UserData instead of EventData are read below the UserData root (WMI-Activity 5858)', async (t) => {
  const text = rule("sel:\n    EventID: 5858\n    'Operation|contains': 'ClearEventLog'\ncondition: sel", 'product: windows\n    service: wmi');
  const doc = (operation: string) => {
    const d = win('Microsoft-Windows-WMI-Activity/Operational', 5858, {});
    (d.winlog as Record<string, unknown>).user_data = {
      Operation_ClientFailure: { Id: '{00000000-0000-0000-0000-000000000000}', Operation: operation, ResultCode: '0x80041032' },
    };
    return d;
  };
  t.ok(hits(text, doc('Start IWbemServices::ExecMethod - root\\cimv2 : Win32_NTEventlogFile::ClearEventLog')));
  t.notOk(hits(text, doc('Start IWbemServices::ExecQuery - root\\cimv2 : select * from Win32_Process')));
});
