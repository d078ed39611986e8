#!/usr/bin/env node
/**
 * Writes the synthetic Sysmon fixtures under datasets/synthetic/ (Splunk XmlWinEventLog form, one
 * <Event> per line). No public capture of these benign tools exists, so they are built from what the
 * tools do on a host; every file's descriptor says `synthetic: true`. Deterministic: rerunning it
 * rewrites the same bytes.  Usage: node scripts/synthesize-fixtures.mjs
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'datasets', 'synthetic');
mkdirSync(outDir, { recursive: true });

const SYSMON_GUID = '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}';
const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');

/** Sysmon writes UtcTime with milliseconds; the record's SystemTime has 100-ns precision. */
function times(iso) {
  const d = new Date(iso);
  const utc = d.toISOString().replace('T', ' ').replace('Z', '');
  return { utc, system: d.toISOString().replace(/\.(\d{3})Z$/, '.$1' + '0000Z') };
}

function event({ id, task, record, time, computer, data, pid = 2968, tid = 3892, sid = 'S-1-5-18' }) {
  const t = times(time);
  const fields = { RuleName: '-', UtcTime: t.utc, ...data };
  const eventData = Object.entries(fields)
    .map(([k, v]) => `<Data Name='${k}'>${escape(v)}</Data>`)
    .join('');
  return (
    `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='${SYSMON_GUID}'/>` +
    `<EventID>${id}</EventID><Version>5</Version><Level>4</Level><Task>${task}</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>` +
    `<TimeCreated SystemTime='${t.system}'/><EventRecordID>${record}</EventRecordID><Correlation/><Execution ProcessID='${pid}' ThreadID='${tid}'/>` +
    `<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>${computer}</Computer><Security UserID='${sid}'/></System>` +
    `<EventData>${eventData}</EventData></Event>`
  );
}

function inbound({ record, time, computer, guid, pid, srcIp, srcPort, dstIp, dstPort, dstPortName = '-' }) {
  return event({
    id: 3, task: 3, record, time, computer,
    data: {
      ProcessGuid: guid, ProcessId: pid, Image: 'C:\\Windows\\System32\\svchost.exe', User: 'NT AUTHORITY\\NETWORK SERVICE',
      Protocol: 'tcp', Initiated: 'false', SourceIsIpv6: 'false', SourceIp: srcIp, SourceHostname: '-', SourcePort: srcPort,
      SourcePortName: '-', DestinationIsIpv6: 'false', DestinationIp: dstIp, DestinationHostname: computer,
      DestinationPort: dstPort, DestinationPortName: dstPortName,
    },
  });
}

const WMIPRVSE = { image: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', cmd: 'C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding' };

function processStart({ record, time, computer, guid, pid, image, commandLine, user, integrity, parentGuid, parentPid, originalName, description }) {
  return event({
    id: 1, task: 1, record, time, computer,
    data: {
      ProcessGuid: guid, ProcessId: pid, Image: image, FileVersion: '10.0.17763.1 (WinBuild.160101.0800)', Description: description,
      Product: 'Microsoft® Windows® Operating System', Company: 'Microsoft Corporation', OriginalFileName: originalName,
      CommandLine: commandLine, CurrentDirectory: 'C:\\Windows\\system32\\', User: user,
      LogonGuid: '{8f1c2d3e-0000-0000-0000-000000000000}', LogonId: '0x3e7', TerminalSessionId: '0', IntegrityLevel: integrity,
      Hashes: 'SHA1=0000000000000000000000000000000000000001,MD5=00000000000000000000000000000001',
      ParentProcessGuid: parentGuid, ParentProcessId: parentPid, ParentImage: WMIPRVSE.image, ParentCommandLine: WMIPRVSE.cmd,
    },
  });
}

function processEnd({ record, time, computer, guid, pid, image }) {
  return event({ id: 5, task: 5, record, time, computer, data: { ProcessGuid: guid, ProcessId: pid, Image: image } });
}

// --- Nessus credentialed scan: the scanner reaches the endpoint mapper, then a dynamic RPC port, and
// runs its checks as cmd.exe children of WmiPrvSE.exe that write to C:\Windows\TEMP\nessus_*.
{
  const computer = 'FS01.corp.example.com';
  const dst = '10.20.30.40';
  const scanner = '10.20.30.250';
  const svc = '{4a1f0c11-5e21-6601-0c00-000000001f00}';
  const wmi = '{4a1f0c11-5f02-6601-2d01-000000001f00}';
  const lines = [
    inbound({ record: 90211, time: '2024-03-12T14:03:11.532Z', computer, guid: svc, pid: 900, srcIp: scanner, srcPort: 51512, dstIp: dst, dstPort: 135, dstPortName: 'epmap' }),
    inbound({ record: 90212, time: '2024-03-12T14:03:11.581Z', computer, guid: svc, pid: 900, srcIp: scanner, srcPort: 51513, dstIp: dst, dstPort: 49668 }),
    processStart({
      record: 90215, time: '2024-03-12T14:03:11.947Z', computer, guid: '{4a1f0c11-5f03-6601-2e01-000000001f00}', pid: 6120,
      image: 'C:\\Windows\\System32\\cmd.exe', commandLine: 'cmd.exe /c netstat -ano > C:\\Windows\\TEMP\\nessus_netstat_8f2a.txt',
      user: 'CORP\\svc-nessus', integrity: 'High', parentGuid: wmi, parentPid: 3312, originalName: 'Cmd.Exe', description: 'Windows Command Processor',
    }),
    processEnd({ record: 90218, time: '2024-03-12T14:03:12.310Z', computer, guid: '{4a1f0c11-5f03-6601-2e01-000000001f00}', pid: 6120, image: 'C:\\Windows\\System32\\cmd.exe' }),
    processStart({
      record: 90221, time: '2024-03-12T14:03:12.654Z', computer, guid: '{4a1f0c11-5f04-6601-2f01-000000001f00}', pid: 6288,
      image: 'C:\\Windows\\System32\\cmd.exe',
      commandLine: 'cmd.exe /c reg query HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall /s > C:\\Windows\\TEMP\\nessus_reg_5c1d.TMP',
      user: 'CORP\\svc-nessus', integrity: 'High', parentGuid: wmi, parentPid: 3312, originalName: 'Cmd.Exe', description: 'Windows Command Processor',
    }),
    processEnd({ record: 90224, time: '2024-03-12T14:03:13.020Z', computer, guid: '{4a1f0c11-5f04-6601-2f01-000000001f00}', pid: 6288, image: 'C:\\Windows\\System32\\cmd.exe' }),
  ];
  writeFileSync(path.join(outDir, 'nessus_wmi_scan.xml'), lines.join('\n') + '\n');
  // Negative control: the same scan with the checks writing to report files that are not nessus_*,
  // so version 100's process.args exclusion no longer applies (everything else is byte-identical).
  const variant = lines.map((l) => l.replace('nessus_netstat_8f2a.txt', 'report.txt').replace('nessus_reg_5c1d.TMP', 'report.TMP'));
  writeFileSync(path.join(outDir, 'nessus_wmi_scan_report_txt.xml'), variant.join('\n') + '\n');
}

// --- Configuration Manager (SCCM) client actions pushed from the site server through remote WMI:
// a compliance script from C:\Windows\CCM\SystemTemp and an installer from C:\Windows\ccmcache, both as SYSTEM.
{
  const computer = 'WKS22.corp.example.com';
  const dst = '10.20.31.22';
  const site = '10.20.30.10';
  const svc = '{7b2e1d22-1a10-6601-0c00-000000002200}';
  const wmi = '{7b2e1d22-1b20-6601-3a01-000000002200}';
  const ps = '{7b2e1d22-1b21-6601-3b01-000000002200}';
  const msi = '{7b2e1d22-1b22-6601-3c01-000000002200}';
  const lines = [
    inbound({ record: 51877, time: '2024-03-14T09:12:40.118Z', computer, guid: svc, pid: 1012, srcIp: site, srcPort: 50811, dstIp: dst, dstPort: 135, dstPortName: 'epmap' }),
    inbound({ record: 51878, time: '2024-03-14T09:12:40.163Z', computer, guid: svc, pid: 1012, srcIp: site, srcPort: 50812, dstIp: dst, dstPort: 49670 }),
    processStart({
      record: 51881, time: '2024-03-14T09:12:40.702Z', computer, guid: ps, pid: 7344,
      image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      commandLine: '"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -NoLogo -NonInteractive -NoProfile -ExecutionPolicy Bypass -File "C:\\Windows\\CCM\\SystemTemp\\4f1e6c2a-0b7d-4c8e-9a51-3d2f7b6e1c90.ps1"',
      user: 'NT AUTHORITY\\SYSTEM', integrity: 'System', parentGuid: wmi, parentPid: 4410, originalName: 'PowerShell.EXE', description: 'Windows PowerShell',
    }),
    processStart({
      record: 51886, time: '2024-03-14T09:12:41.355Z', computer, guid: msi, pid: 7452,
      image: 'C:\\Windows\\System32\\msiexec.exe',
      commandLine: '"C:\\Windows\\System32\\msiexec.exe" /i "C:\\Windows\\ccmcache\\1f\\ConfigMgrClientTools.msi" /qn',
      user: 'NT AUTHORITY\\SYSTEM', integrity: 'System', parentGuid: wmi, parentPid: 4410, originalName: 'msiexec.exe', description: 'Windows® installer',
    }),
    processEnd({ record: 51890, time: '2024-03-14T09:12:42.907Z', computer, guid: ps, pid: 7344, image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' }),
  ];
  writeFileSync(path.join(outDir, 'sccm_wmi_client_actions.xml'), lines.join('\n') + '\n');
  // Negative control: the same client actions run from C:\Windows\Temp instead of the CCM folders
  // that version 100 excludes (everything else is byte-identical).
  const variant = lines.map((l) => l.replace('C:\\Windows\\CCM\\SystemTemp\\', 'C:\\Windows\\Temp\\').replace('C:\\Windows\\ccmcache\\', 'C:\\Windows\\Temp\\'));
  writeFileSync(path.join(outDir, 'sccm_wmi_client_actions_other_path.xml'), variant.join('\n') + '\n');
}

// --- Source side of WinRM lateral movement (the ESCU analytic "Remote Process Instantiation via WinRM
// and PowerShell"): a process creation whose own command line is powershell.exe Invoke-Command
// -ComputerName … -ScriptBlock …, as splunk/attack_data's T1021.006/lateral_movement_psh capture has
// (that file is in Git LFS and could not be obtained). Generic parent/child process creation.
function processCreate({ record, time, computer, guid, pid, image, commandLine, user, sid, integrity, parentGuid, parentPid, parentImage, parentCommandLine, originalName, description, product = 'Microsoft® Windows® Operating System', currentDirectory }) {
  return event({
    id: 1, task: 1, record, time, computer, sid,
    data: {
      ProcessGuid: guid, ProcessId: pid, Image: image, FileVersion: '10.0.17763.1 (WinBuild.160101.0800)', Description: description,
      Product: product, Company: 'Microsoft Corporation', OriginalFileName: originalName,
      CommandLine: commandLine, CurrentDirectory: currentDirectory, User: user,
      LogonGuid: '{8f1c2d3e-0000-0000-0000-0000000003e5}', LogonId: '0x3e5a1c', TerminalSessionId: '1', IntegrityLevel: integrity,
      Hashes: 'SHA1=0000000000000000000000000000000000000002,MD5=00000000000000000000000000000002',
      ParentProcessGuid: parentGuid, ParentProcessId: parentPid, ParentImage: parentImage, ParentCommandLine: parentCommandLine,
    },
  });
}

function outbound({ record, time, computer, guid, pid, image, user, sid, srcIp, srcPort, dstIp, dstHost, dstPort }) {
  return event({
    id: 3, task: 3, record, time, computer, sid,
    data: {
      ProcessGuid: guid, ProcessId: pid, Image: image, User: user,
      Protocol: 'tcp', Initiated: 'true', SourceIsIpv6: 'false', SourceIp: srcIp, SourceHostname: computer, SourcePort: srcPort,
      SourcePortName: '-', DestinationIsIpv6: 'false', DestinationIp: dstIp, DestinationHostname: dstHost,
      DestinationPort: dstPort, DestinationPortName: '-',
    },
  });
}

const PS = { image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', original: 'PowerShell.EXE', description: 'Windows PowerShell' };
const CMDEXE = { image: 'C:\\Windows\\System32\\cmd.exe', original: 'Cmd.Exe', description: 'Windows Command Processor' };

{
  // An operator on a compromised Attack Range workstation runs a command on the domain controller.
  const computer = 'win-host-370.attackrange.local';
  const user = 'ATTACKRANGE\\Administrator';
  const sid = 'S-1-5-21-3730028101-1805993102-1296032061-500';
  const common = { computer, user, sid, integrity: 'High', currentDirectory: 'C:\\Users\\Administrator\\' };
  const explorer = { guid: '{a1b2c3d4-1a2b-6193-5c00-000000000e00}', pid: 4012, image: 'C:\\Windows\\explorer.exe', cmd: 'C:\\Windows\\Explorer.EXE' };
  const cmd = { guid: '{a1b2c3d4-1b10-6193-7d01-000000000e00}', pid: 5532, cmd: '"C:\\Windows\\system32\\cmd.exe" ' };
  const attack = { guid: '{a1b2c3d4-1b42-6193-8201-000000000e00}', pid: 6148 };
  const lines = [
    processCreate({
      record: 14021, time: '2021-11-16T18:42:03.114Z', ...common, guid: cmd.guid, pid: cmd.pid, image: CMDEXE.image, commandLine: cmd.cmd,
      parentGuid: explorer.guid, parentPid: explorer.pid, parentImage: explorer.image, parentCommandLine: explorer.cmd, originalName: CMDEXE.original, description: CMDEXE.description,
    }),
    // Benign PowerShell noise: a help lookup names the cmdlet but no remote computer.
    processCreate({
      record: 14036, time: '2021-11-16T18:42:40.562Z', ...common, guid: '{a1b2c3d4-1b30-6193-8001-000000000e00}', pid: 1884, image: PS.image,
      commandLine: 'powershell.exe -NoProfile -Command "Get-Help Invoke-Command -Examples"',
      parentGuid: cmd.guid, parentPid: cmd.pid, parentImage: CMDEXE.image, parentCommandLine: cmd.cmd, originalName: PS.original, description: PS.description,
    }),
    // Not PowerShell: the analytic's process_powershell macro keeps this cmd.exe out.
    processCreate({
      record: 14039, time: '2021-11-16T18:42:51.007Z', ...common, guid: '{a1b2c3d4-1b33-6193-8101-000000000e00}', pid: 2240, image: CMDEXE.image,
      commandLine: 'cmd.exe /c echo Invoke-Command -ComputerName win-dc-370 >> C:\\Users\\Administrator\\notes.txt',
      parentGuid: cmd.guid, parentPid: cmd.pid, parentImage: CMDEXE.image, parentCommandLine: cmd.cmd, originalName: CMDEXE.original, description: CMDEXE.description,
    }),
    // The lateral movement: powershell.exe starts a process on the domain controller over WinRM.
    processCreate({
      record: 14044, time: '2021-11-16T18:43:12.398Z', ...common, guid: attack.guid, pid: attack.pid, image: PS.image,
      commandLine: 'powershell.exe  Invoke-Command -ComputerName win-dc-370.attackrange.local -ScriptBlock { Start-Process -FilePath C:\\Windows\\System32\\notepad.exe }',
      parentGuid: cmd.guid, parentPid: cmd.pid, parentImage: CMDEXE.image, parentCommandLine: cmd.cmd, originalName: PS.original, description: PS.description,
    }),
    outbound({
      record: 14047, time: '2021-11-16T18:43:13.021Z', computer, guid: attack.guid, pid: attack.pid, image: PS.image, user, sid,
      srcIp: '10.0.1.15', srcPort: 50122, dstIp: '10.0.1.14', dstHost: 'win-dc-370.attackrange.local', dstPort: 5985,
    }),
    processEnd({ record: 14052, time: '2021-11-16T18:43:15.660Z', computer, guid: attack.guid, pid: attack.pid, image: PS.image }),
  ];
  writeFileSync(path.join(outDir, 'winrm_invoke_command_lateral_movement_psh.xml'), lines.join('\n') + '\n');
}

{
  // An administrator's maintenance script restarts the print spooler on two print servers with
  // Invoke-Command: the analytic's stated false positive.
  const computer = 'ADMIN01.corp.example.com';
  const user = 'CORP\\it-admin';
  const sid = 'S-1-5-21-1004336348-1177238915-682003330-1612';
  const common = { computer, user, sid, integrity: 'High', currentDirectory: 'C:\\Scripts\\' };
  const cmd = { guid: '{c0ffee01-2a10-660b-4e01-000000003100}', pid: 7104, cmd: 'C:\\Windows\\system32\\cmd.exe /c ""C:\\Scripts\\restart-spooler.cmd" "' };
  const explorer = { guid: '{c0ffee01-2a00-660b-1c00-000000003100}', pid: 3520, image: 'C:\\Windows\\explorer.exe', cmd: 'C:\\Windows\\Explorer.EXE' };
  const ps = { guid: '{c0ffee01-2a12-660b-5001-000000003100}', pid: 7288 };
  const lines = [
    processCreate({
      record: 220301, time: '2024-04-02T08:15:02.250Z', ...common, guid: cmd.guid, pid: cmd.pid, image: CMDEXE.image, commandLine: cmd.cmd,
      parentGuid: explorer.guid, parentPid: explorer.pid, parentImage: explorer.image, parentCommandLine: explorer.cmd, originalName: CMDEXE.original, description: CMDEXE.description,
    }),
    // Noise: the script first checks the service with Get-Service -ComputerName (no Invoke-Command).
    processCreate({
      record: 220304, time: '2024-04-02T08:15:02.871Z', ...common, guid: '{c0ffee01-2a11-660b-4f01-000000003100}', pid: 7196, image: PS.image,
      commandLine: 'powershell.exe -NoProfile -Command "Get-Service -ComputerName PRN01,PRN02 -Name Spooler"',
      parentGuid: cmd.guid, parentPid: cmd.pid, parentImage: CMDEXE.image, parentCommandLine: cmd.cmd, originalName: PS.original, description: PS.description,
    }),
    processCreate({
      record: 220311, time: '2024-04-02T08:15:05.433Z', ...common, guid: ps.guid, pid: ps.pid, image: PS.image,
      commandLine: 'powershell.exe -NoProfile -Command "Invoke-Command -ComputerName PRN01,PRN02 -ScriptBlock { Restart-Service -Name Spooler }"',
      parentGuid: cmd.guid, parentPid: cmd.pid, parentImage: CMDEXE.image, parentCommandLine: cmd.cmd, originalName: PS.original, description: PS.description,
    }),
    outbound({ record: 220314, time: '2024-04-02T08:15:05.912Z', computer, guid: ps.guid, pid: ps.pid, image: PS.image, user, sid, srcIp: '10.20.30.21', srcPort: 61144, dstIp: '10.20.40.11', dstHost: 'PRN01.corp.example.com', dstPort: 5985 }),
    outbound({ record: 220315, time: '2024-04-02T08:15:05.930Z', computer, guid: ps.guid, pid: ps.pid, image: PS.image, user, sid, srcIp: '10.20.30.21', srcPort: 61145, dstIp: '10.20.40.12', dstHost: 'PRN02.corp.example.com', dstPort: 5985 }),
    processEnd({ record: 220322, time: '2024-04-02T08:15:09.104Z', computer, guid: ps.guid, pid: ps.pid, image: PS.image }),
  ];
  writeFileSync(path.join(outDir, 'winrm_invoke_command_admin.xml'), lines.join('\n') + '\n');
}
console.log(`wrote synthetic fixtures to ${path.relative(root, outDir)}`);
