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
