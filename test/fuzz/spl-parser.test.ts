/**
 * Fuzzing the SPL front end and its macro expansion (seeded, deterministic; FUZZ_CASES / FUZZ_SEED
 * / FUZZ_SECONDS change the run): random and mutated searches never crash the compiler — each
 * gives a query that runs, or errors with a line and column inside the text — and mutated macro
 * tables (recursive, fanning out, with broken calls) expand or fail with a located MacroError.
 * Nothing hangs (a hang stops the test, which tap reports as a timeout). A failure prints the
 * settings that repeat it.
 */
import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import { builtinFallback, expandMacros, MacroError, type MacroDefinition, type MacroTable } from '../../src/engine/spl/index.js';
import { MAX_EXPANDED_LENGTH, MAX_MACRO_EXPANSIONS } from '../../src/engine/spl/macros.js';
import { proc, sysmon } from '../engine/spl-helpers.js';
import { fuzzSettings, mutate, positionInside, randomText, rng } from './fuzz-lib.js';

const SEEDS = [
  '| tstats `security_content_summariesonly` count min(_time) as firstTime max(_time) as lastTime from datamodel=Endpoint.Processes where `process_powershell` (Processes.process="*Invoke-Command*" AND Processes.process="*-ComputerName*") by Processes.dest Processes.user Processes.parent_process_name Processes.process_name Processes.process | `drop_dm_object_name(Processes)` | `security_content_ctime(firstTime)`| `security_content_ctime(lastTime)` | `remote_process_instantiation_via_winrm_and_powershell_filter`',
  '`sysmon` EventCode=1 Image="*\\\\cmd.exe" (CommandLine="*/c*" OR CommandLine="*/k*") NOT User="NT AUTHORITY\\\\SYSTEM" | stats count by Computer Image | where count > 1',
  'index=main source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=3 DestinationPort IN (5985, 5986) | rename DestinationIp as dest | table _time dest',
  '| tstats count from datamodel=Endpoint.Processes where Processes.process_name=wsmprovhost.exe by Processes.dest _time span=1h | `drop_dm_object_name(Processes)` | eval host=lower(dest) | where like(host, "wks%") AND match(host, "(?i)^wks\\d+")',
  'EventCode=4688 | eval cmd=replace(CommandLine, "\\s+", " "), n=len(cmd) | where n > 10 AND isnotnull(cmd) | dedup cmd | head 5',
  'search process_name=powershell.exe | eval t=strftime(_time, "%Y-%m-%d"), x=if(match(process, "-enc"), 1, 0) | fillnull value=0 x | fields - t | bin _time span=5m',
  '| tstats `security_content_summariesonly` values(Processes.process) as process from datamodel=Endpoint.Processes where Processes.parent_process_name=WmiPrvSE.exe by Processes.dest | `drop_dm_object_name(Processes)` | convert ctime(firstTime) | search process="*whoami*"',
];

const SPL_TOKENS = ['|', '`', '``', '```', '(', ')', '[', ']', '"', '\\', '*', '=', '!=', '<', '>=', ' AND ', ' OR ', ' NOT ', ' IN ', ' by ', ' as ', 'span=', 'datamodel=', '$field$', 'eval ', 'where ', 'stats ', 'tstats ', 'count', 'values(', 'match(', 'replace(', 'like(', '(a+)+$', '(?i)', '%', ',', '\n', '\r\n', '😀', 'é', '\u0000', '__proto__', 'constructor', '1e309', '-', '.', '`drop_dm_object_name(Processes)`', '`security_content_ctime(firstTime)`', '`x(`', 'Processes.'];

const EVENTS = [
  proc({ image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', cmd: 'powershell Invoke-Command -ComputerName srv -enc AAAA', parent: 'C:\\Windows\\System32\\wsmprovhost.exe', pid: 11 }),
  proc({ image: 'C:\\Windows\\System32\\cmd.exe', cmd: 'cmd.exe /c whoami', parent: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', pid: 12 }),
  sysmon(3, { Image: 'C:\\x.exe', DestinationIp: '10.0.0.5', DestinationPort: '5985', SourceIp: '10.0.0.9' }),
];

const { cases: CASES, seed: SEED, deadline, repeat } = fuzzSettings(2000, 1123, 60);

t.test(`SPL parser and compiler: ${CASES} fuzzed searches (${repeat})`, async (t) => {
  const r = rng(SEED);
  let ok = 0;
  let errors = 0;
  let crashes = 0;
  let badPositions = 0;
  let run = 0;
  for (; run < CASES && Date.now() < deadline; run++) {
    const text = r() < 0.85 ? mutate(SEEDS[Math.floor(r() * SEEDS.length)] as string, r, SPL_TOKENS) : randomText(r, 120, SPL_TOKENS);
    try {
      const res = compileQuery(text, { language: 'spl', fieldView: 'cim' });
      if (res.ok) {
        ok++;
        const det = res.query.newDetector(() => {});
        for (const e of EVENTS) det.push(e);
        det.finish();
      } else {
        errors++;
        for (const e of res.errors) {
          if (!(positionInside(text, e.line, e.column) && typeof e.message === 'string' && e.message.length > 0)) {
            badPositions++;
            if (badPositions <= 3) t.fail(`error without a usable position for ${JSON.stringify(text)} (${repeat}): ${JSON.stringify(e)}`);
          }
        }
      }
    } catch (err) {
      crashes++;
      if (crashes <= 3) t.fail(`crash on ${JSON.stringify(text)} (${repeat}): ${(err as Error).stack}`);
    }
  }
  t.equal(crashes, 0, 'no crash');
  t.equal(badPositions, 0, 'every error has a line and column inside the search');
  t.ok(run >= Math.min(CASES, 500), `${run} cases ran (${ok} compiled, ${errors} refused)`);
  t.ok(ok > Math.min(50, run / 20) && errors > Math.min(50, run / 20), 'both valid and invalid searches were exercised');
});

const MACRO_BODIES = ['`m1`', '`m2` `m2`', '`m3(x)` OR `m3(y)`', 'EventCode=$a$', '($a$ AND `m1`)', '"`m2`"', '```comment```', '`m4`', 'search *', '`m1` `m1` `m1`', '`unknown_macro`', '`m3(a,b)`', ''];

function randomTable(r: () => number): MacroTable {
  const table = new Map<string, MacroDefinition>();
  const names: Array<[string, string[]]> = [
    ['m1', []],
    ['m2', []],
    ['m3', ['a']],
    ['m4', []],
  ];
  for (const [name, args] of names) {
    if (r() < 0.2) continue;
    let body = '';
    const parts = 1 + Math.floor(r() * 3);
    for (let i = 0; i < parts; i++) body += `${MACRO_BODIES[Math.floor(r() * MACRO_BODIES.length)]} `;
    if (r() < 0.3) body = mutate(body, r, SPL_TOKENS);
    const key = args.length ? `${name}(${args.length})` : name;
    table.set(key, { name, args, definition: body, origin: 'fuzz' });
  }
  return table;
}

t.test(`SPL macro expansion: ${Math.ceil(CASES / 2)} fuzzed macro tables (${repeat})`, async (t) => {
  const r = rng(SEED + 1);
  let expanded = 0;
  let refused = 0;
  let crashes = 0;
  let run = 0;
  for (; run < Math.ceil(CASES / 2) && Date.now() < deadline; run++) {
    const table = randomTable(r);
    const text = mutate(`EventCode=1 \`m${1 + Math.floor(r() * 4)}\` | search x=1 \`m3(q)\``, r, SPL_TOKENS);
    try {
      const res = expandMacros(text, table, builtinFallback);
      expanded++;
      if (res.text.length > MAX_EXPANDED_LENGTH || res.offsets.length !== res.text.length + 1) t.fail(`expansion out of bounds for ${JSON.stringify(text)} (${repeat})`);
      if (res.offsets.some((o) => o < 0 || o > text.length)) t.fail(`an expanded character points outside the text (${repeat})`);
    } catch (err) {
      if (err instanceof MacroError) {
        refused++;
        if (!(err.offset >= 0 && err.offset <= text.length)) t.fail(`MacroError outside the text: ${err.offset} of ${text.length} (${repeat})`);
      } else {
        crashes++;
        if (crashes <= 3) t.fail(`crash expanding ${JSON.stringify(text)} with ${JSON.stringify([...table.values()])} (${repeat}): ${(err as Error).stack}`);
      }
    }
  }
  t.equal(crashes, 0, 'no crash');
  t.ok(expanded > Math.min(20, run / 20) && refused > Math.min(20, run / 20), `${run} tables: ${expanded} expanded, ${refused} refused`);
});

t.test('macro bombs are refused with a located error instead of hanging', async (t) => {
  // Each level calls the next twice: 2^40 expansions if nothing stopped it.
  const table = new Map<string, MacroDefinition>();
  for (let i = 0; i < 40; i++) table.set(`b${i}`, { name: `b${i}`, args: [], definition: i === 39 ? 'x' : `\`b${i + 1}\` \`b${i + 1}\``, origin: 'bomb' });
  const text = 'EventCode=1 `b0`';
  let bomb: unknown;
  try {
    expandMacros(text, table);
  } catch (err) {
    bomb = err;
  }
  t.ok(bomb instanceof MacroError, 'refused');
  t.match((bomb as MacroError).message, /more than \d+ macro expansions/);
  t.equal((bomb as MacroError).offset, 12, 'at the call in the text as written');
  // Few expansions but each one huge: the output bound.
  const wide = new Map<string, MacroDefinition>([
    ['w0', { name: 'w0', args: [], definition: '`w1` '.repeat(50), origin: 'bomb' }],
    ['w1', { name: 'w1', args: [], definition: 'x'.repeat(100_000), origin: 'bomb' }],
  ]);
  t.throws(() => expandMacros('`w0`', wide), new RegExp(`grows past ${MAX_EXPANDED_LENGTH}`));
  const res = expandMacros('search `b30`', table, builtinFallback);
  t.equal(res.text.split('x').length - 1, 512, 'a fan-out under the bounds (1,023 expansions) still expands');
  t.ok(MAX_MACRO_EXPANSIONS >= 1000, 'real content (dozens of expansions) stays far below the bound');
});

t.test('field names that are Object.prototype keys are ordinary (unknown) fields', async (t) => {
  for (const q of [
    'constructor<1',
    '__proto__=x',
    'toString=* hasOwnProperty!=1',
    '| tstats count from datamodel=Endpoint.Processes where Processes.constructor=1 by Processes.__proto__',
    'EventCode=1 | eval valueOf=1 | where constructor="x" OR isnull(__proto__)',
  ]) {
    const res = compileQuery(q, { language: 'spl', fieldView: 'cim' });
    if (!res.ok) {
      t.ok(res.errors.every((e) => positionInside(q, e.line, e.column)), `${q}: refused with positions`);
      continue;
    }
    const alerts: unknown[] = [];
    const det = res.query.newDetector((a) => alerts.push(a));
    for (const e of EVENTS) det.push(e);
    det.finish();
    t.ok(alerts.length <= EVENTS.length, `${q}: ran (${alerts.length} alerts)`);
  }
});
