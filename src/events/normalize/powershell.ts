/**
 * PowerShell logs → canonical events, after Elastic's `windows.powershell` (classic "Windows
 * PowerShell" channel: 400, 403, 600, 800) and `windows.powershell_operational` (4103, 4104, 4105,
 * 4106) pipelines: categorization, the context block (`Host Application`, `Runspace ID`, …) parsed
 * into `process.*`, `powershell.*` and `user.*`, and script block fields.
 */
import type { CanonicalEvent, WindowsRecord } from '../types.js';
import { splitWindowsCommandLine } from './cmdline.js';
import { DocBuilder, cleanEventData, toLong } from './common.js';
import { genericWindowsBuilder } from './windows.js';

interface Categorization {
  category: string[];
  type: string[];
}

const CATEGORIZATION: Readonly<Record<number, Categorization>> = {
  400: { category: ['process'], type: ['start'] },
  403: { category: ['process'], type: ['end'] },
  600: { category: ['process'], type: ['info'] },
  800: { category: ['process'], type: ['info'] },
  4103: { category: ['process'], type: ['info'] },
  4104: { category: ['process'], type: ['info'] },
  4105: { category: ['process'], type: ['start'] },
  4106: { category: ['process'], type: ['end'] },
};

const ACTIONS: Readonly<Record<number, string>> = {
  400: 'Engine Lifecycle',
  403: 'Engine Lifecycle',
  600: 'Provider Lifecycle',
  800: 'Pipeline Execution Details',
  4103: 'Executing Pipeline',
  4104: 'Execute a Remote Command',
  4105: 'Starting Command',
  4106: 'Stopping Command',
};

/**
 * The context block as `key → value`: 4103's ContextInfo writes `Host Application = …` lines;
 * classic events write `HostApplication=…` lines (in the third data item, or in the message).
 * Keys are returned without spaces (`HostApplication`).
 */
export function parsePowerShellContext(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    const m = /^([A-Za-z][A-Za-z ]*?)\s*=\s?(.*)$/.exec(line);
    if (!m) continue;
    const key = (m[1] as string).replace(/ /g, '');
    if (!(key in out)) out[key] = (m[2] as string).trim();
  }
  return out;
}

function splitDomainUser(text: string | undefined): [string, string] | undefined {
  if (!text) return undefined;
  const parts = text.split('\\');
  return parts.length === 2 ? [parts[0] as string, parts[1] as string] : undefined;
}

function applyContext(b: DocBuilder, ctx: Record<string, string>): void {
  const host = ctx.HostApplication;
  if (host) {
    b.set('process.command_line', host);
    const args = splitWindowsCommandLine(host);
    b.set('process.args', args);
    b.set('process.args_count', args.length);
    b.set('process.executable', args[0]);
    const exe = args[0] ?? '';
    const slash = exe.lastIndexOf('\\');
    if (slash > -1) b.set('process.name', exe.slice(slash + 1));
  }
  b.set('process.entity_id', ctx.HostId || ctx.HostID || undefined);
  b.set('process.title', ctx.HostName || undefined);
  b.set('powershell.process.executable_version', ctx.HostVersion || undefined);
  b.set('powershell.engine.version', ctx.EngineVersion || undefined);
  b.set('powershell.runspace_id', ctx.RunspaceId || ctx.RunspaceID || undefined);
  b.set('powershell.pipeline_id', ctx.PipelineId || ctx.PipelineID || undefined);
  b.set('powershell.command.name', ctx.CommandName || undefined);
  b.set('powershell.command.type', ctx.CommandType || undefined);
  b.set('powershell.command.path', ctx.CommandPath || undefined);
  b.set('powershell.command.value', ctx.CommandLine || undefined);
  b.set('powershell.id', ctx.ShellId || ctx.ShellID || undefined);
  b.set('file.path', ctx.ScriptName || undefined);
  b.set('event.sequence', toLong(ctx.SequenceNumber));
  b.set('powershell.engine.new_state', ctx.NewEngineState || undefined);
  b.set('powershell.engine.previous_state', ctx.PreviousEngineState || undefined);
  b.set('powershell.provider.name', ctx.ProviderName || undefined);
  b.set('powershell.provider.new_state', ctx.NewProviderState || undefined);
  const user = splitDomainUser(ctx.User ?? ctx.UserId);
  if (user) {
    b.set('user.domain', user[0]);
    b.set('user.name', user[1]);
    b.append('related.user', user[1]);
  }
  const connected = splitDomainUser(ctx.ConnectedUser);
  if (connected) {
    b.set('powershell.connected_user.domain', connected[0]);
    b.set('powershell.connected_user.name', connected[1]);
  }
}

export function normalizePowerShell(record: WindowsRecord): CanonicalEvent {
  const b = genericWindowsBuilder(record);
  const eid = record.eventId;
  const d = cleanEventData(record.eventData);
  const cat = CATEGORIZATION[eid];
  if (cat) {
    b.set('event.category', [...cat.category]);
    b.set('event.type', [...cat.type]);
  }
  b.set('event.action', ACTIONS[eid]);

  if (eid === 4104) {
    b.set('powershell.file.script_block_text', d.ScriptBlockText);
    b.set('powershell.file.script_block_id', d.ScriptBlockId);
    b.set('powershell.sequence', toLong(d.MessageNumber));
    b.set('powershell.total', toLong(d.MessageTotal));
    b.set('file.path', d.Path);
    if (d.Path) {
      const slash = d.Path.lastIndexOf('\\');
      if (slash > -1) {
        b.set('file.name', d.Path.slice(slash + 1));
        b.set('file.directory', d.Path.slice(0, slash));
      }
    }
  }
  // 4103/4105/4106 carry ContextInfo; classic events a details block in param3 or the message.
  const context = d.ContextInfo ?? d.param3 ?? (record.channel === 'Windows PowerShell' ? record.message : undefined);
  if (context) applyContext(b, parsePowerShellContext(context));
  return b.doc;
}
