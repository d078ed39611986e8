/**
 * What a GitHub Actions job tells a step through its environment: whether we run in one, the
 * repository, the commit, the pull request (from the event payload), and the files a step writes to
 * (`$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT`).
 */
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export function inGitHubActions(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

export interface PullRequestInfo {
  number: number;
  headSha: string;
  headRepo?: string;
  baseRepo?: string;
  /** The head lives in another repository: its token cannot write to the base repository. */
  fromFork: boolean;
}

export interface GitHubContext {
  /** `owner/name`. */
  repository?: string;
  sha?: string;
  apiUrl: string;
  serverUrl: string;
  eventName?: string;
  pullRequest?: PullRequestInfo;
}

/** Read the context from the environment and the event payload (`$GITHUB_EVENT_PATH`). */
export function githubContext(env: NodeJS.ProcessEnv): GitHubContext {
  const ctx: GitHubContext = {
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
  };
  if (env.GITHUB_REPOSITORY) ctx.repository = env.GITHUB_REPOSITORY;
  if (env.GITHUB_SHA) ctx.sha = env.GITHUB_SHA;
  if (env.GITHUB_EVENT_NAME) ctx.eventName = env.GITHUB_EVENT_NAME;
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath && existsSync(eventPath)) {
    try {
      const event = JSON.parse(readFileSync(eventPath, 'utf8')) as {
        pull_request?: { number?: number; head?: { sha?: string; repo?: { full_name?: string } | null }; base?: { repo?: { full_name?: string } } };
      };
      const pr = event.pull_request;
      if (pr && typeof pr.number === 'number') {
        const headRepo = pr.head?.repo?.full_name;
        const baseRepo = pr.base?.repo?.full_name;
        const info: PullRequestInfo = {
          number: pr.number,
          headSha: pr.head?.sha ?? ctx.sha ?? '',
          // A deleted fork has no head repo: treat as a fork (it cannot be trusted with writes either).
          fromFork: !headRepo || (baseRepo !== undefined && headRepo !== baseRepo),
        };
        if (headRepo) info.headRepo = headRepo;
        if (baseRepo) info.baseRepo = baseRepo;
        ctx.pullRequest = info;
      }
    } catch {
      // An unreadable payload only means no pull request context.
    }
  }
  return ctx;
}

/** `https://github.com/OWNER/REPO/blob/SHA/` for links in summaries, when known. */
export function blobLinkBase(ctx: GitHubContext): string | undefined {
  const sha = ctx.pullRequest?.headSha || ctx.sha;
  if (!ctx.repository || !sha) return undefined;
  return `${ctx.serverUrl.replace(/\/$/, '')}/${ctx.repository}/blob/${sha}/`;
}

/** Append Markdown to the step summary, within what is left of the per-step budget. */
export function appendStepSummary(env: NodeJS.ProcessEnv, markdown: string): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  appendFileSync(file, markdown.endsWith('\n') ? markdown : markdown + '\n');
  return true;
}

/** Bytes already written to the step summary by earlier commands of this step. */
export function stepSummaryUsed(env: NodeJS.ProcessEnv): number {
  const file = env.GITHUB_STEP_SUMMARY;
  try {
    return file && existsSync(file) ? statSync(file).size : 0;
  } catch {
    return 0;
  }
}

/**
 * `$GITHUB_OUTPUT` lines: `name=value`, or the heredoc form with a random delimiter for values with
 * line breaks (a fixed delimiter could be forged by the value itself).
 */
export function formatOutputs(outputs: Record<string, string | number | boolean>, delimiter: () => string = () => `ruleproof_${randomBytes(12).toString('hex')}`): string {
  let out = '';
  for (const [name, raw] of Object.entries(outputs)) {
    const value = String(raw);
    if (!/[\r\n]/.test(value)) {
      out += `${name}=${value}\n`;
      continue;
    }
    let delim = delimiter();
    while (value.includes(delim)) delim = delimiter();
    out += `${name}<<${delim}\n${value}\n${delim}\n`;
  }
  return out;
}

export function writeOutputs(env: NodeJS.ProcessEnv, outputs: Record<string, string | number | boolean>): boolean {
  const file = env.GITHUB_OUTPUT;
  if (!file) return false;
  appendFileSync(file, formatOutputs(outputs));
  return true;
}
