/**
 * `ruleproof github comment|check` for real over HTTP against a loopback GitHub (fake-github.ts):
 * the sticky comment is found by its marker and updated in place, check-run annotations go in
 * batches of 50, forks and read-only tokens degrade to the job summary, secondary rate limits are
 * retried, and the token never appears in anything printed.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { githubCheckCommand, githubCommentCommand, type ClientTuning } from '../../src/cli/github.js';
import { createClient, retryDelay } from '../../src/github/client.js';
import { redact } from '../../src/github/redact.js';
import { stickyMarker } from '../../src/github/comment.js';
import { reportFindings } from '../../src/report/sarif-findings.js';
import type { CliIO } from '../../src/cli/main.js';
import { FakeGitHub } from './fake-github.js';
import { tempDir, ruleproof } from './helpers.js';
import { sampleCheckReport, sampleTestReport } from '../report/fixtures.js';

const TOKEN = 'ghs_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const noWait: ClientTuning = { sleep: async () => {}, baseDelayMs: 1 };

interface Env {
  dir: string;
  env: NodeJS.ProcessEnv;
  gh: FakeGitHub;
  run: (cmd: 'comment' | 'check', opts?: Record<string, unknown>) => Promise<{ code: number; stdout: string; stderr: string }>;
}

async function setup(t: Tap.Test, options: { fork?: boolean; token?: string | null; report?: unknown } = {}): Promise<Env> {
  const gh = new FakeGitHub(TOKEN);
  const url = await gh.start();
  t.teardown(() => gh.stop());
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'report.json'), JSON.stringify(options.report ?? sampleTestReport()));
  writeFileSync(path.join(dir, 'summary.md'), '');
  writeFileSync(
    path.join(dir, 'event.json'),
    JSON.stringify({ pull_request: { number: 7, head: { sha: 'headsha1', repo: { full_name: options.fork ? 'mallory/rules' : 'acme/rules' } }, base: { repo: { full_name: 'acme/rules' } } } }),
  );
  const env: NodeJS.ProcessEnv = {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/rules',
    GITHUB_SHA: 'mergesha',
    GITHUB_API_URL: url,
    GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'),
    ...(options.token === null ? {} : { GITHUB_TOKEN: options.token ?? TOKEN }),
  };
  const run = async (cmd: 'comment' | 'check', opts: Record<string, unknown> = {}) => {
    let stdout = '';
    let stderr = '';
    const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd: dir, isTTY: false, env };
    const code =
      cmd === 'comment'
        ? await githubCommentCommand(io, { report: 'report.json', debug: true, ...opts }, noWait)
        : await githubCheckCommand(io, { report: 'report.json', name: 'ruleproof', debug: true, ...opts }, noWait);
    // Debug output is on in every test: it must not leak the token either.
    t.notMatch(stdout + stderr, TOKEN, 'the token is never printed');
    t.notMatch(stdout + stderr, TOKEN.slice(4, 20), 'not even part of it');
    return { code, stdout, stderr };
  };
  return { dir, env, gh, run };
}

t.test('sticky comment: created once, then updated in place, found past the first page', async (t) => {
  const { gh, run, dir } = await setup(t);
  for (let i = 0; i < 130; i++) gh.seedComment('acme/rules#7', `chatter ${i}`);
  const first = await run('comment');
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /PR comment created/);
  const mine = () => (gh.comments.get('acme/rules#7') ?? []).filter((c) => c.body.includes(stickyMarker()));
  t.equal(mine().length, 1);
  t.ok(mine()[0]!.body.startsWith('<!-- ruleproof:sticky:default -->\n## ruleproof test: '), 'hidden marker, then the summary');
  t.match(mine()[0]!.body, /Tests that did not pass \(3\)/);
  t.match(mine()[0]!.body, /\(https:\/\/github\.com\/acme\/rules\/blob\/headsha1\//, 'links point at the PR head');
  t.equal(gh.requests[0]!.authorization, `token ${TOKEN}`, 'the token is sent to GitHub');
  t.same(gh.requests.filter((r) => r.method === 'GET').map((r) => r.query.page ?? '1'), ['1', '2'], 'both pages listed');

  // The next push: one test fixed. The same comment is edited; nothing is created.
  const id = mine()[0]!.id;
  const report = sampleTestReport();
  report.rules[1]!.tests[0]!.status = 'pass';
  writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report));
  gh.requests = [];
  const second = await run('comment');
  t.equal(second.code, 0);
  t.match(second.stdout, /PR comment updated/);
  t.equal(mine().length, 1, 'never duplicated');
  t.equal(mine()[0]!.id, id, 'the same comment');
  t.match(mine()[0]!.body, /Tests that did not pass \(2\)/);
  t.same(gh.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`), [`PATCH /repos/acme/rules/issues/comments/${id}`]);
  t.equal(gh.comments.get('acme/rules#7')!.length, 131, 'other comments untouched');

  // Nothing changed: no write at all.
  gh.requests = [];
  const third = await run('comment');
  t.match(third.stdout, /PR comment unchanged/);
  t.same(gh.requests.filter((r) => r.method !== 'GET'), []);

  // Another key keeps its own comment.
  const other = await run('comment', { key: 'nightly' });
  t.match(other.stdout, /created/);
  t.equal(mine().length, 1);
  t.equal((gh.comments.get('acme/rules#7') ?? []).filter((c) => c.body.includes(stickyMarker('nightly'))).length, 1);
});

t.test('a fork pull request degrades to the job summary without calling the API', async (t) => {
  const { gh, run, env } = await setup(t, { fork: true });
  const r = await run('comment');
  t.equal(r.code, 0, 'the step does not fail for it');
  t.equal(gh.requests.length, 0, 'no request made');
  t.match(r.stdout, /^::warning title=ruleproof::this pull request comes from a fork/m);
  const summary = readFileSync(env.GITHUB_STEP_SUMMARY as string, 'utf8');
  t.match(summary, /> this pull request comes from a fork, whose workflow token cannot comment/);
  t.match(summary, /## ruleproof test: /);
  const check = await run('check');
  t.equal(check.code, 0);
  t.equal(gh.requests.length, 0);
});

t.test('a token without write permission degrades with a note naming the permission', async (t) => {
  const { gh, run, env } = await setup(t);
  gh.readOnly.add('comments').add('checks');
  const r = await run('comment');
  t.equal(r.code, 0);
  t.match(r.stdout, /could not comment on pull request #7 \(HTTP 403: Resource not accessible by integration\).*pull-requests: write/);
  t.match(readFileSync(env.GITHUB_STEP_SUMMARY as string, 'utf8'), /HTTP 403: Resource not accessible by integration/);
  const c = await run('check');
  t.equal(c.code, 0);
  t.match(c.stdout, /checks: write/);
  t.equal(gh.checkRuns.length, 0);
});

t.test('no token: the summary still reaches the job summary', async (t) => {
  const { gh, run, env } = await setup(t, { token: null });
  const r = await run('comment');
  t.equal(r.code, 0);
  t.equal(gh.requests.length, 0);
  t.match(readFileSync(env.GITHUB_STEP_SUMMARY as string, 'utf8'), /no GitHub token \(set GITHUB\\?_TOKEN\)/);
});

t.test('secondary rate limits and server errors are retried with backoff', async (t) => {
  const { gh, run } = await setup(t);
  gh.failures.push({ match: /^POST .*\/comments$/, status: 403, headers: { 'retry-after': '0' }, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' });
  gh.failures.push({ match: /^GET /, status: 502, message: 'Bad Gateway', times: 2 });
  const r = await run('comment');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /created/);
  const lines = gh.requests.map((x) => `${x.method} ${x.path}`);
  t.same(lines, [
    'GET /repos/acme/rules/issues/7/comments',
    'GET /repos/acme/rules/issues/7/comments',
    'GET /repos/acme/rules/issues/7/comments',
    'POST /repos/acme/rules/issues/7/comments',
    'POST /repos/acme/rules/issues/7/comments',
  ]);
  t.match(r.stderr, /retrying in 0 ms \(retry-after\)/);
  t.match(r.stderr, /retrying in \d+ ms \(server error 502\)/);
  t.equal((gh.comments.get('acme/rules#7') ?? []).length, 1, 'one comment, despite the retried POST');
});

t.test('an API error is reported without the token, even when GitHub echoes it', async (t) => {
  const { gh, run } = await setup(t);
  gh.failures.push({ match: /^GET /, status: 422, message: `Validation failed for authorization: token ${TOKEN}` });
  const r = await run('comment');
  t.equal(r.code, 1);
  t.match(r.stderr, /could not comment on pull request #7: HTTP 422: Validation failed for authorization: \*\*\*/);
});

t.test('check run: annotations in batches of 50', async (t) => {
  const report = sampleCheckReport();
  for (let i = 0; i < 117; i++) {
    report.lint.diagnostics.push({ file: `detections/r${i}.toml`, line: i + 1, column: 2, severity: i % 2 ? 'warning' : 'error', code: 'metadata/dates', message: `finding ${i}` });
  }
  const { gh, run } = await setup(t, { report });
  const r = await run('check');
  t.equal(r.code, 0, r.stderr);
  const total = reportFindings(report).length;
  t.ok(total > 100, `${total} findings`);
  t.equal(gh.checkRuns.length, 1);
  const checkRun = gh.checkRuns[0]!;
  t.equal(checkRun.output.annotations.length, total, 'every finding annotated');
  t.match(r.stdout, `with ${Math.ceil(total / 50)} annotation batch(es)`);
  const writes = gh.requests.filter((x) => x.method !== 'GET');
  t.same(writes.map((x) => [x.method, x.body.output.annotations?.length ?? 0]), [['POST', 50], ['PATCH', 50], ['PATCH', total - 100]]);
  t.match(checkRun, { name: 'ruleproof', head_sha: 'headsha1', status: 'completed', conclusion: 'failure' });
  t.match(checkRun.output.title, /3 of 6 test\(s\) did not pass; \d+ lint error\(s\)/);
  const fail = checkRun.output.annotations.find((a: any) => a.path === 'detections/bravo.tests.yml');
  t.match(fail, { start_line: 7, end_line: 7, start_column: 5, end_column: 5, annotation_level: 'failure' });
  t.match(fail.raw_details, /No alert: stage 2 matched 0 events/);
  const whole = checkRun.output.annotations.find((a: any) => a.path === 'detections/alpha.toml' && a.annotation_level === 'warning');
  t.match(whole, { start_line: 1, end_line: 1 });
  t.notOk('start_column' in whole, 'a whole-file finding has no columns');
});

t.test('usage errors and non-PR runs', async (t) => {
  const { run, env, gh } = await setup(t);
  t.equal((await run('comment', { report: 'missing.json' })).code, 2);
  t.equal((await run('comment', { repo: 'not-a-repo' })).code, 2);
  delete env.GITHUB_EVENT_PATH;
  const r = await run('comment');
  t.equal(r.code, 0);
  t.match(r.stderr, /not a pull request/);
  t.equal(gh.requests.length, 0);
});

t.test('the CLI registers github comment and check', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'report.json'), JSON.stringify(sampleTestReport()));
  const r = await ruleproof(dir, { GITHUB_TOKEN: TOKEN }, 'github', 'comment', '--report', 'report.json', '--repo', 'acme/rules');
  t.equal(r.code, 0);
  t.match(r.stderr, /not a pull request/);
  const bad = await ruleproof(dir, {}, 'github', 'check', '--report', 'report.json', '--repo', 'acme/rules');
  t.equal(bad.code, 2, 'no commit to attach a check run to');
});

t.test('client: retry policy', async (t) => {
  const limits = { baseDelayMs: 1000, maxDelayMs: 60_000, now: () => 1_000_000 };
  t.same(retryDelay({ status: 403, response: { headers: { 'retry-after': '3' } } }, 0, limits), { waitMs: 3000, reason: 'retry-after' });
  t.same(retryDelay({ status: 403, response: { data: { message: 'You have exceeded a secondary rate limit' } } }, 0, limits), { waitMs: 60_000, reason: 'secondary rate limit' });
  t.same(retryDelay({ status: 403, response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1000005' } } }, 0, limits), { waitMs: 6000, reason: 'rate limit reset' });
  t.equal(retryDelay({ status: 403, response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1009999' } } }, 0, limits), undefined, 'a reset far away is not waited for');
  t.equal(retryDelay({ status: 403, response: { data: { message: 'Resource not accessible by integration' } } }, 0, limits), undefined, 'a permission error is not retried');
  t.same(retryDelay({ status: 503 }, 2, limits), { waitMs: 4000, reason: 'server error 503' }, 'exponential backoff');
  t.equal(retryDelay({ status: 422 }, 0, limits), undefined);

  const gh = new FakeGitHub(TOKEN);
  await gh.start();
  t.teardown(() => gh.stop());
  gh.failures.push({ match: /^GET /, status: 403, message: 'You have exceeded a secondary rate limit', times: 10 });
  const waits: number[] = [];
  const debug: string[] = [];
  const client = createClient({ token: TOKEN, baseUrl: gh.url, retries: 3, sleep: async (ms) => void waits.push(ms), debug: (l) => debug.push(l) });
  await t.rejects(client.octokit.rest.issues.listComments({ owner: 'a', repo: 'b', issue_number: 1 }), { status: 403 });
  t.same(waits, [60_000, 60_000, 60_000], 'gives up after the retries, waiting a minute each time');
  t.equal(gh.requests.length, 4);
  t.notMatch(debug.join('\n'), TOKEN);
});

t.test('redaction', async (t) => {
  t.equal(redact(`x ${TOKEN} y`), 'x *** y', 'token shapes without being told');
  t.equal(redact('github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'), '***');
  t.equal(redact('Authorization: token abc.def-123'), 'Authorization: ***');
  t.equal(redact('"authorization":"bearer abcdefg"'), '"authorization":"***"');
  t.equal(redact('my secret is hunter2hunter2', ['hunter2hunter2']), 'my secret is ***');
  t.equal(redact('short abc', ['abc']), 'short abc', 'very short values are not secrets to hunt');
});
