/**
 * `ruleproof github comment` and `ruleproof github check`: publish a JSON report to a pull request
 * through the GitHub REST API. The token comes from the environment (`GITHUB_TOKEN`, else
 * `GH_TOKEN`), never from the command line, and is redacted from everything printed. Where the token
 * cannot write (a pull request from a fork, a workflow without the permission) the summary goes to
 * the job summary instead, with a note, and the step does not fail for it.
 */
import { renderSummaryMarkdown, COMMENT_BUDGET } from '../report/step-summary.js';
import { compareWithBaseline, type BaselineDelta } from '../report/step-summary-delta.js';
import { reportFindings } from '../report/sarif-findings.js';
import { reportParts, type GatingReport } from '../report/markdown.js';
import { appendStepSummary, blobLinkBase, githubContext, inGitHubActions, type GitHubContext } from '../github/env.js';
import { createClient, describeError, type ClientOptions } from '../github/client.js';
import { upsertStickyComment } from '../github/comment.js';
import { checkAnnotation, publishCheckRun } from '../github/check-run.js';
import { escapeData, escapeProperty } from '../report/github-annotations.js';
import { redact } from '../github/redact.js';
import { readReportFile } from './formats.js';
import type { CliIO } from './main.js';

interface GithubOptions {
  report: string;
  repo?: string;
  apiUrl?: string;
  baseline?: string;
  debug?: boolean;
}

export interface CommentOptions extends GithubOptions {
  pr?: number;
  key?: string;
}

export interface CheckOptions extends GithubOptions {
  sha?: string;
  name: string;
}

/** Test seam: retry timing without wall-clock waits. */
export type ClientTuning = Pick<ClientOptions, 'sleep' | 'baseDelayMs' | 'maxDelayMs' | 'now'>;

function tokenFrom(env: NodeJS.ProcessEnv): string | undefined {
  return env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
}

interface Prepared {
  report: GatingReport;
  ctx: GitHubContext;
  owner: string;
  repo: string;
  token?: string;
  markdown: (note?: string) => string;
}

function prepare(io: CliIO, opts: GithubOptions): Prepared | number {
  const report = readReportFile(io, opts.report);
  if (typeof report === 'string') {
    io.stderr(`ruleproof: --report: ${report}\n`);
    return 2;
  }
  const ctx = githubContext(io.env);
  const full = opts.repo ?? ctx.repository;
  const m = full ? /^([^/\s]+)\/([^/\s]+)$/.exec(full) : null;
  if (!m) {
    io.stderr(`ruleproof: ${full ? `--repo must be OWNER/NAME, got "${full}"` : 'no repository: pass --repo OWNER/NAME or run inside GitHub Actions (GITHUB_REPOSITORY)'}\n`);
    return 2;
  }
  let delta: BaselineDelta | undefined;
  if (opts.baseline) {
    const base = readReportFile(io, opts.baseline);
    if (typeof base === 'string') io.stderr(`ruleproof: warning: --baseline ignored: ${base}\n`);
    else delta = compareWithBaseline(reportParts(report), reportParts(base));
  }
  const linkBase = blobLinkBase(ctx);
  const token = tokenFrom(io.env);
  return {
    report,
    ctx,
    owner: m[1] as string,
    repo: m[2] as string,
    ...(token ? { token } : {}),
    markdown: (note?: string) =>
      renderSummaryMarkdown(report, { ...(linkBase ? { linkBase } : {}), ...(delta ? { delta } : {}), ...(note ? { note } : {}), maxBytes: COMMENT_BUDGET }),
  };
}

/** Could not publish for lack of permission: the summary goes where the reader will still find it. */
function degrade(io: CliIO, p: Prepared, note: string): number {
  const red = (s: string) => redact(s, [p.token]);
  if (!appendStepSummary(io.env, p.markdown(note))) io.stdout(p.markdown(note));
  if (inGitHubActions(io.env)) io.stdout(`::warning title=${escapeProperty('ruleproof')}::${escapeData(red(note))}\n`);
  else io.stderr(`ruleproof: warning: ${red(note)}\n`);
  return 0;
}

function client(io: CliIO, p: Prepared, opts: GithubOptions, tuning: ClientTuning) {
  const debugOn = opts.debug || io.env.RUNNER_DEBUG === '1';
  return createClient({
    token: p.token as string,
    baseUrl: opts.apiUrl ?? p.ctx.apiUrl,
    ...tuning,
    ...(debugOn ? { debug: (line: string) => io.stderr(`ruleproof: debug: ${line}\n`) } : {}),
  });
}

function permissionNote(status: number, message: string, what: string, permission: string): string | undefined {
  if ((status === 403 || status === 404 || status === 401) && !/rate limit/i.test(message)) {
    return `could not ${what} (HTTP ${status}: ${message}); the token cannot write here — a pull request from a fork, or a workflow without \`permissions: ${permission}\`. The summary is in the job summary instead.`;
  }
  return undefined;
}

export async function githubCommentCommand(io: CliIO, opts: CommentOptions, tuning: ClientTuning = {}): Promise<number> {
  const p = prepare(io, opts);
  if (typeof p === 'number') return p;
  const pr = opts.pr ?? p.ctx.pullRequest?.number;
  if (!pr) {
    io.stderr('ruleproof: not a pull request (no --pr and no pull_request event): no comment to write\n');
    return 0;
  }
  if (!p.token) return degrade(io, p, 'no GitHub token (set GITHUB_TOKEN): the PR comment was not written.');
  if (opts.pr === undefined && p.ctx.pullRequest?.fromFork) {
    return degrade(io, p, 'this pull request comes from a fork, whose workflow token cannot comment: the summary is in the job summary instead.');
  }
  const gh = client(io, p, opts, tuning);
  try {
    const result = await upsertStickyComment(gh.octokit, { owner: p.owner, repo: p.repo, issueNumber: pr, ...(opts.key ? { key: opts.key } : {}) }, p.markdown());
    io.stdout(`ruleproof: PR comment ${result.action}: ${result.url}\n`);
    return 0;
  } catch (err) {
    const e = describeError(err, gh.redact);
    const note = permissionNote(e.status, e.message, `comment on pull request #${pr}`, 'pull-requests: write');
    if (note) return degrade(io, p, note);
    io.stderr(`ruleproof: could not comment on pull request #${pr}: HTTP ${e.status || 'error'}: ${e.message}\n`);
    return 1;
  }
}

function checkTitle(report: GatingReport): string {
  const parts = reportParts(report);
  const bits: string[] = [];
  const t = parts.test?.summary;
  if (t) bits.push(t.failed + t.errors + t.unsupported ? `${t.failed + t.errors + t.unsupported} of ${t.tests} test(s) did not pass` : `${t.passed} test(s) passed`);
  const l = parts.lint?.summary;
  if (l) bits.push(`${l.errors} lint error(s), ${l.warnings} warning(s)`);
  return bits.join('; ') || `ruleproof ${parts.command}`;
}

export async function githubCheckCommand(io: CliIO, opts: CheckOptions, tuning: ClientTuning = {}): Promise<number> {
  const p = prepare(io, opts);
  if (typeof p === 'number') return p;
  const sha = opts.sha ?? (p.ctx.pullRequest?.headSha || p.ctx.sha);
  if (!sha) {
    io.stderr('ruleproof: no commit: pass --sha or run inside GitHub Actions (GITHUB_SHA)\n');
    return 2;
  }
  if (!p.token) return degrade(io, p, 'no GitHub token (set GITHUB_TOKEN): the check run was not created.');
  if (opts.sha === undefined && p.ctx.pullRequest?.fromFork) {
    return degrade(io, p, 'this pull request comes from a fork, whose workflow token cannot create check runs: the summary is in the job summary instead.');
  }
  const gh = client(io, p, opts, tuning);
  const exitCode = reportParts(p.report).exitCode;
  try {
    const result = await publishCheckRun(gh.octokit, {
      owner: p.owner,
      repo: p.repo,
      headSha: sha,
      name: opts.name,
      conclusion: exitCode === 0 ? 'success' : 'failure',
      title: checkTitle(p.report),
      summary: p.markdown(),
      annotations: reportFindings(p.report).map(checkAnnotation),
    });
    io.stdout(`ruleproof: check run "${opts.name}" created with ${result.batches} annotation batch(es): ${result.url}\n`);
    return 0;
  } catch (err) {
    const e = describeError(err, gh.redact);
    const note = permissionNote(e.status, e.message, 'create a check run', 'checks: write');
    if (note) return degrade(io, p, note);
    io.stderr(`ruleproof: could not create the check run: HTTP ${e.status || 'error'}: ${e.message}\n`);
    return 1;
  }
}
