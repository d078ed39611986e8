/**
 * An Octokit client for the few REST calls ruleproof makes, with what a CI step needs around them:
 * retries with backoff on secondary rate limits (403/429 with `retry-after` or GitHub's "secondary
 * rate limit" message), on an exhausted primary limit when it resets soon, and on transient server
 * errors; and logs and errors that never contain the token.
 */
import { Octokit } from '@octokit/rest';
import { redact } from './redact.js';

export interface ClientOptions {
  token: string;
  /** `https://api.github.com`, a GHES `/api/v3` URL, or a test server. */
  baseUrl?: string;
  /** Attempts after the first (default 4). */
  retries?: number;
  /** First backoff when the server gives no `retry-after` (default 1000 ms; doubles each time). */
  baseDelayMs?: number;
  /** Longest single wait; a primary rate limit resetting later than this is not waited for (default 60 s). */
  maxDelayMs?: number;
  /** Where debug lines go (already redacted). */
  debug?: (line: string) => void;
  /** Injected in tests so retries do not take wall-clock time. */
  sleep?: (ms: number) => Promise<void>;
  /** Seconds since the epoch (for `x-ratelimit-reset`); injected in tests. */
  now?: () => number;
}

export interface GitHubClient {
  octokit: Octokit;
  /** Redact the token (and token-shaped text) from a message. */
  redact(text: string): string;
  /** How many retries were made, by reason (for tests and the debug log). */
  retries: Array<{ method: string; url: string; status: number; waitMs: number; reason: string }>;
}

interface HttpErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function header(err: HttpErrorLike, name: string): string | undefined {
  const v = err.response?.headers?.[name];
  return v === undefined ? undefined : String(v);
}

function bodyMessage(err: HttpErrorLike): string {
  const data = err.response?.data as { message?: unknown } | undefined;
  return typeof data?.message === 'string' ? data.message : (err.message ?? '');
}

/** How long to wait before retrying, or undefined when the error is not worth retrying. */
export function retryDelay(err: HttpErrorLike, attempt: number, opts: Required<Pick<ClientOptions, 'baseDelayMs' | 'maxDelayMs' | 'now'>>): { waitMs: number; reason: string } | undefined {
  const status = err.status ?? 0;
  const backoff = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
  const retryAfter = header(err, 'retry-after');
  if (status === 403 || status === 429) {
    if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) {
      const ms = Number(retryAfter) * 1000;
      return ms <= opts.maxDelayMs ? { waitMs: ms, reason: 'retry-after' } : undefined;
    }
    if (header(err, 'x-ratelimit-remaining') === '0') {
      const reset = Number(header(err, 'x-ratelimit-reset'));
      const ms = Number.isFinite(reset) ? Math.max(0, reset - opts.now()) * 1000 + 1000 : backoff;
      return ms <= opts.maxDelayMs ? { waitMs: ms, reason: 'rate limit reset' } : undefined;
    }
    // GitHub's guidance for a secondary limit without retry-after: wait at least a minute, then longer.
    if (/secondary rate limit|abuse detection/i.test(bodyMessage(err))) {
      return { waitMs: Math.min(opts.maxDelayMs, Math.max(60_000, backoff)), reason: 'secondary rate limit' };
    }
    if (status === 429) return { waitMs: backoff, reason: 'too many requests' };
    return undefined;
  }
  if (status === 500 || status === 502 || status === 503 || status === 504) return { waitMs: backoff, reason: `server error ${status}` };
  return undefined;
}

export function createClient(options: ClientOptions): GitHubClient {
  const secrets = [options.token];
  const red = (text: string) => redact(text, secrets);
  const debug = options.debug ?? (() => {});
  const sleep = options.sleep ?? defaultSleep;
  const limits = {
    baseDelayMs: options.baseDelayMs ?? 1000,
    maxDelayMs: options.maxDelayMs ?? 60_000,
    now: options.now ?? (() => Date.now() / 1000),
  };
  const maxRetries = options.retries ?? 4;
  const octokit = new Octokit({
    auth: options.token,
    userAgent: 'ruleproof',
    ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/$/, '') } : {}),
    log: {
      debug: (m: string) => debug(red(m)),
      info: (m: string) => debug(red(m)),
      warn: (m: string) => debug(red(m)),
      error: (m: string) => debug(red(m)),
    },
  });
  const retries: GitHubClient['retries'] = [];
  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await request(requestOptions);
        debug(red(`${requestOptions.method} ${requestOptions.url} -> ${response.status}`));
        return response;
      } catch (err) {
        const e = err as HttpErrorLike;
        const delay = attempt < maxRetries ? retryDelay(e, attempt, limits) : undefined;
        debug(red(`${requestOptions.method} ${requestOptions.url} -> ${e.status ?? 'network error'}: ${bodyMessage(e)}`));
        if (!delay) throw err;
        retries.push({ method: String(requestOptions.method), url: String(requestOptions.url), status: e.status ?? 0, waitMs: delay.waitMs, reason: delay.reason });
        debug(`retrying in ${delay.waitMs} ms (${delay.reason})`);
        await sleep(delay.waitMs);
      }
    }
  });
  return { octokit, redact: red, retries };
}

/** A failed call's status and GitHub's own message, redacted, for one line of output. */
export function describeError(err: unknown, red: (s: string) => string): { status: number; message: string } {
  const e = err as HttpErrorLike;
  return { status: e.status ?? 0, message: red(bodyMessage(e) || String(err)) };
}
