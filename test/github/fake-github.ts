/**
 * A loopback HTTP server implementing the few GitHub REST endpoints ruleproof calls (list, create and
 * update issue comments; create and update check runs), with GitHub's pagination `Link` headers, and
 * switches for what CI meets: a read-only token (403 "Resource not accessible by integration") and
 * injected failures (secondary rate limits, server errors). Every request is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body?: any;
}

export interface Comment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string };
}

export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string;
  output: { title?: string; summary?: string; annotations: any[] };
  html_url: string;
}

export interface InjectedFailure {
  /** Which requests it applies to: `METHOD /path-regex`. */
  match: RegExp;
  status: number;
  headers?: Record<string, string>;
  message: string;
  /** How many times (default 1). */
  times?: number;
}

export class FakeGitHub {
  requests: RecordedRequest[] = [];
  comments = new Map<string, Comment[]>();
  checkRuns: CheckRun[] = [];
  /** Endpoints the token may not write: `comments`, `checks`. */
  readOnly = new Set<'comments' | 'checks'>();
  failures: InjectedFailure[] = [];
  expectedToken: string;
  private server: Server;
  private nextId = 1000;
  url = '';

  constructor(token: string) {
    this.expectedToken = token;
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  seedComment(issueKey: string, body: string, login = 'someone'): Comment {
    const c: Comment = { id: this.nextId++, body, html_url: `https://github.test/${issueKey}#c`, user: { login } };
    c.html_url += c.id;
    this.comments.set(issueKey, [...(this.comments.get(issueKey) ?? []), c]);
    return c;
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) };
    if (req.headers.authorization) rec.authorization = req.headers.authorization;
    if (raw) rec.body = JSON.parse(raw);
    this.requests.push(rec);

    if (req.headers.authorization !== `token ${this.expectedToken}`) return this.send(res, 401, { message: 'Bad credentials' });
    const line = `${rec.method} ${rec.path}`;
    const failure = this.failures.find((f) => f.match.test(line) && (f.times ?? 1) > 0);
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      return this.send(res, failure.status, { message: failure.message, documentation_url: 'https://docs.github.com/rest' }, failure.headers);
    }
    const forbidden = () => this.send(res, 403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' });

    let m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(rec.path);
    if (m) {
      const key = `${m[1]}/${m[2]}#${m[3]}`;
      const all = this.comments.get(key) ?? [];
      if (rec.method === 'GET') {
        const perPage = Number(rec.query.per_page ?? 30);
        const page = Number(rec.query.page ?? 1);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length) {
          const next = new URL(url.toString());
          next.searchParams.set('page', String(page + 1));
          headers.link = `<${next.toString()}>; rel="next"`;
        }
        return this.send(res, 200, slice, headers);
      }
      if (rec.method === 'POST') {
        if (this.readOnly.has('comments')) return forbidden();
        const c = this.seedComment(key, rec.body.body, 'github-actions[bot]');
        return this.send(res, 201, c);
      }
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(rec.path);
    if (m && rec.method === 'PATCH') {
      if (this.readOnly.has('comments')) return forbidden();
      for (const list of this.comments.values()) {
        const c = list.find((x) => x.id === Number(m?.[3]));
        if (c) {
          c.body = rec.body.body;
          return this.send(res, 200, c);
        }
      }
      return this.send(res, 404, { message: 'Not Found' });
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs(?:\/(\d+))?$/.exec(rec.path);
    if (m) {
      if (this.readOnly.has('checks')) return forbidden();
      if (rec.method === 'POST' && !m[3]) {
        const annotations = rec.body.output?.annotations ?? [];
        if (annotations.length > 50) return this.send(res, 422, { message: 'Only 50 annotations are allowed per request' });
        const run: CheckRun = {
          id: this.nextId++,
          name: rec.body.name,
          head_sha: rec.body.head_sha,
          status: rec.body.status,
          conclusion: rec.body.conclusion,
          output: { title: rec.body.output?.title, summary: rec.body.output?.summary, annotations: [...annotations] },
          html_url: '',
        };
        run.html_url = `https://github.test/${m[1]}/${m[2]}/runs/${run.id}`;
        this.checkRuns.push(run);
        return this.send(res, 201, run);
      }
      if (rec.method === 'PATCH' && m[3]) {
        const run = this.checkRuns.find((r) => r.id === Number(m?.[3]));
        if (!run) return this.send(res, 404, { message: 'Not Found' });
        const annotations = rec.body.output?.annotations ?? [];
        if (annotations.length > 50) return this.send(res, 422, { message: 'Only 50 annotations are allowed per request' });
        run.output.annotations.push(...annotations);
        if (rec.body.output?.summary) run.output.summary = rec.body.output.summary;
        return this.send(res, 200, run);
      }
    }
    return this.send(res, 404, { message: `Not Found: ${line}` });
  }
}
