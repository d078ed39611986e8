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
