/**
 * Tokens never reach a log: every message ruleproof prints about a GitHub API call goes through
 * `redact`, which removes the token it was given and anything shaped like a GitHub token or an
 * Authorization header value.
 */
const TOKEN_SHAPES: RegExp[] = [
  // Personal, OAuth, user-to-server, server-to-server (GITHUB_TOKEN) and refresh tokens.
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  // Fine-grained personal access tokens.
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  // Header values: `authorization: token …`, `Bearer …`, `Basic …`.
  /\b(authorization["']?\s*[:=]\s*["']?)(?:token|bearer|basic)\s+[^\s"',}]+/gi,
  /\b(token|bearer)\s+[A-Za-z0-9_\-.=]{20,}/gi,
];

export const REDACTED = '***';

export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  for (const s of secrets) {
    // Very short strings would redact ordinary words; GitHub tokens are far longer.
    if (s && s.length >= 8) out = out.split(s).join(REDACTED);
  }
  for (const re of TOKEN_SHAPES) {
    out = out.replace(re, (match, prefix: unknown) => (typeof prefix === 'string' && /authorization/i.test(prefix) ? `${prefix}${REDACTED}` : match.replace(/\S+$/, REDACTED)));
  }
  return out;
}
