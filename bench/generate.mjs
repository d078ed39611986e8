/**
 * Deterministic ECS NDJSON for the benchmarks: Windows-like process, network, file, registry and DNS
 * events (about 450 bytes a line, time-ordered), with a few planted WinRM lateral-movement pairs
 * (an incoming connection to 5985 followed within seconds by a process under wsmprovhost.exe on
 * the same host) so that the bundled rules and their mutations have something to find.
 *
 * Streamed to disk in blocks, never built whole in memory, so a 1 GB file costs no memory.
 */
import { createWriteStream } from 'node:fs';

/** mulberry32: small, fast, seeded. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROCESS_NAMES = [
  'svchost.exe', 'chrome.exe', 'msedge.exe', 'explorer.exe', 'OneDrive.exe', 'Teams.exe', 'outlook.exe', 'winword.exe',
  'excel.exe', 'conhost.exe', 'RuntimeBroker.exe', 'SearchIndexer.exe', 'taskhostw.exe', 'dllhost.exe', 'backgroundTaskHost.exe',
  'MsMpEng.exe', 'spoolsv.exe', 'lsass.exe', 'services.exe', 'wininit.exe', 'ctfmon.exe', 'sihost.exe', 'smartscreen.exe',
  'SecurityHealthService.exe', 'git.exe', 'node.exe', 'python.exe', 'java.exe', 'Code.exe', 'slack.exe', 'zoom.exe',
];
const PARENTS = ['explorer.exe', 'svchost.exe', 'services.exe', 'userinit.exe', 'chrome.exe', 'cmd.exe', 'Code.exe', 'taskeng.exe'];
const USERS = ['alice', 'bob', 'carol', 'dave', 'SYSTEM', 'LOCAL SERVICE', 'NETWORK SERVICE', 'svc_backup'];
const DOMAINS = ['example.com', 'contoso.local', 'update.microsoft.com', 'cdn.example.net', 'login.live.com', 'github.com'];
const REG_KEYS = ['SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run', 'SYSTEM\\CurrentControlSet\\Services\\bam', 'SOFTWARE\\Policies\\Google\\Chrome'];

const pick = (r, list) => list[Math.floor(r() * list.length)];
const hex = (r, n) => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
};

function host(r, hosts) {
  const i = Math.floor(r() * hosts);
  return { id: `h-${String(i).padStart(4, '0')}-${(i * 2654435761 >>> 0).toString(16)}`, name: `WKS-${String(i).padStart(4, '0')}`, os: { type: 'windows', family: 'windows' } };
}

function base(ts, h, category, type, dataset) {
  return {
    '@timestamp': new Date(ts).toISOString(),
    event: { kind: 'event', category: [category], type: [type], dataset },
    host: h,
  };
}

function processEvent(r, ts, h, name, parent) {
  const pid = 1000 + Math.floor(r() * 60000);
  const e = base(ts, h, 'process', 'start', 'endpoint.events.process');
  e.process = {
    pid,
    name,
    executable: `C:\\Program Files\\Vendor\\${name}`,
    command_line: `"C:\\Program Files\\Vendor\\${name}" --flag=${Math.floor(r() * 100)}`,
    parent: { pid: 500 + Math.floor(r() * 5000), name: parent, executable: `C:\\Windows\\System32\\${parent}` },
  };
  e.user = { name: pick(r, USERS), domain: 'CORP' };
  return e;
}

function networkEvent(r, ts, h, direction, port) {
  const e = base(ts, h, 'network', direction === 'incoming' ? 'connection' : 'start', 'endpoint.events.network');
  e.network = { direction, transport: 'tcp', type: 'ipv4' };
  e.source = { ip: `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${1 + Math.floor(r() * 250)}`, port: 1024 + Math.floor(r() * 60000) };
  e.destination = { ip: `10.0.${Math.floor(r() * 255)}.${1 + Math.floor(r() * 250)}`, port };
  e.process = { pid: 4 + Math.floor(r() * 9000), name: pick(r, PROCESS_NAMES) };
  return e;
}

function fileEvent(r, ts, h) {
  const e = base(ts, h, 'file', pick(r, ['creation', 'change', 'deletion']), 'endpoint.events.file');
  const name = `${hex(r, 10)}.${pick(r, ['tmp', 'log', 'dat', 'json', 'etl'])}`;
  e.file = { name, path: `C:\\Users\\${pick(r, USERS)}\\AppData\\Local\\Temp\\${name}`, extension: name.split('.')[1] };
  e.process = { pid: 4 + Math.floor(r() * 9000), name: pick(r, PROCESS_NAMES), executable: `C:\\Program Files\\Vendor\\app.exe` };
  return e;
}

function registryEvent(r, ts, h) {
  const e = base(ts, h, 'registry', 'change', 'endpoint.events.registry');
  const key = pick(r, REG_KEYS);
  e.registry = { hive: 'HKLM', key, path: `HKLM\\${key}\\${hex(r, 6)}`, value: hex(r, 6), data: { strings: [hex(r, 16)] } };
  e.process = { pid: 4 + Math.floor(r() * 9000), name: pick(r, PROCESS_NAMES) };
  return e;
}

function dnsEvent(r, ts, h) {
  const e = base(ts, h, 'network', 'protocol', 'endpoint.events.network');
  e.dns = { question: { name: `${hex(r, 6)}.${pick(r, DOMAINS)}`, type: 'A' }, resolved_ip: [`93.184.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`] };
  e.network = { protocol: 'dns', direction: 'egress' };
  e.process = { pid: 4 + Math.floor(r() * 9000), name: pick(r, PROCESS_NAMES) };
  return e;
}

/**
 * Write `events` lines (or until `bytes` are written, whichever comes first when both are given)
 * to `file`. `plantEvery`: one planted lateral-movement pair per that many events (0: none);
 * `decoyEvery`: one incoming WinRM connection without a follow-up per that many events (0: none).
 * Returns { events, bytes, planted }.
 */
export async function generateEcsNdjson(file, { events = 200_000, bytes = Infinity, seed = 42, hosts = 500, plantEvery = 5000, decoyEvery = 100, start = Date.UTC(2024, 0, 8, 9, 0, 0) } = {}) {
  const r = rng(seed);
  const out = createWriteStream(file);
  let written = 0;
  let count = 0;
  let planted = 0;
  let ts = start;
  let block = [];
  let blockBytes = 0;
  const flush = async () => {
    if (!block.length) return;
    const text = block.join('');
    block = [];
    blockBytes = 0;
    if (!out.write(text)) await new Promise((res) => out.once('drain', res));
  };
  const emit = async (doc) => {
    const line = JSON.stringify(doc) + '\n';
    block.push(line);
    blockBytes += line.length;
    written += Buffer.byteLength(line);
    count++;
    if (blockBytes > 1 << 20) await flush();
  };
  while (count < events && written < bytes) {
    ts += 1 + Math.floor(r() * 20);
    const h = host(r, hosts);
    if (plantEvery > 0 && count > 0 && count % plantEvery === 0) {
      // A WinRM lateral movement: incoming 5985, then a process under wsmprovhost.exe 2 s later.
      await emit(networkEvent(r, ts, h, 'incoming', 5985));
      ts += 2000;
      await emit(processEvent(r, ts, h, 'whoami.exe', 'wsmprovhost.exe'));
      planted++;
      continue;
    }
    if (decoyEvery > 0 && count % decoyEvery === 7) {
      // WinRM management traffic: an incoming 5985 connection that nothing suspicious follows, so a
      // sequence engine holds a partial sequence for it until maxspan passes.
      await emit(networkEvent(r, ts, h, 'incoming', 5985));
      continue;
    }
    const k = r();
    let doc;
    if (k < 0.55) doc = processEvent(r, ts, h, pick(r, PROCESS_NAMES), pick(r, PARENTS));
    else if (k < 0.7) doc = networkEvent(r, ts, h, r() < 0.5 ? 'egress' : 'ingress', pick(r, [443, 80, 445, 135, 3389, 8080]));
    else if (k < 0.82) doc = fileEvent(r, ts, h);
    else if (k < 0.92) doc = registryEvent(r, ts, h);
    else doc = dnsEvent(r, ts, h);
    await emit(doc);
  }
  await flush();
  await new Promise((res, rej) => out.end((err) => (err ? rej(err) : res())));
  return { events: count, bytes: written, planted };
}
