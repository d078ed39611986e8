import t from 'tap';
import { colorFor } from '../../src/report/color.js';

const painted = (c: ReturnType<typeof colorFor>) => c.red('x') !== 'x';

t.test('colour only on a terminal', async (t) => {
  t.ok(painted(colorFor({ isTTY: true }, {})), 'a TTY gets colour');
  t.notOk(painted(colorFor({ isTTY: false }, {})), 'a pipe or file does not');
  t.notOk(painted(colorFor({}, {})), 'unknown stream: no colour');
});

t.test('NO_COLOR is honoured, TERM=dumb too', async (t) => {
  t.notOk(painted(colorFor({ isTTY: true }, { NO_COLOR: '1' })));
  t.ok(painted(colorFor({ isTTY: true }, { NO_COLOR: '' })), 'an empty NO_COLOR does not count (no-color.org)');
  t.notOk(painted(colorFor({ isTTY: true }, { TERM: 'dumb' })));
});

t.test('FORCE_COLOR forces colour into logs', async (t) => {
  t.ok(painted(colorFor({ isTTY: false }, { FORCE_COLOR: '1' })));
  t.notOk(painted(colorFor({ isTTY: false }, { FORCE_COLOR: '0' })));
});

import { renderDiagnostics } from '../../src/report/console-diagnostics.js';
import { Chalk } from 'chalk';

t.test('stylish diagnostics: grouped by file, summary mark by worst severity', async (t) => {
  const plain = new Chalk({ level: 0 });
  const d = (severity: 'error' | 'warning' | 'info', line: number) => ({ file: 'r.yml', line, column: 3, severity, code: 'x/y', message: `m${line}`, hint: 'do this' });
  const infoOnly = renderDiagnostics([d('info', 2)], plain);
  t.match(infoOnly, /^r\.yml\n {2}2:3 +info +m2 +x\/y\n +do this\n\nℹ 0 error\(s\), 0 warning\(s\), 1 info$/);
  t.match(renderDiagnostics([d('warning', 5), d('info', 1)], plain), /⚠ 0 error\(s\), 1 warning\(s\), 1 info$/);
  const mixed = renderDiagnostics([d('warning', 5), d('error', 9)], plain);
  t.match(mixed, /✖ 1 error\(s\), 1 warning\(s\)$/);
  t.ok(mixed.indexOf('5:3') < mixed.indexOf('9:3'), 'sorted by line');
  t.equal(renderDiagnostics([], plain), '');
});
