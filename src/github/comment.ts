/**
 * One sticky pull-request comment per key: found by a hidden HTML marker in its body and edited in
 * place on every run, so a pull request never collects a comment per push.
 */
import type { Octokit } from '@octokit/rest';

export function stickyMarker(key = 'default'): string {
  // The key ends up inside an HTML comment: keep it to characters that cannot close it.
  return `<!-- ruleproof:sticky:${key.replace(/[^A-Za-z0-9_.\-/]/g, '_')} -->`;
}

export interface StickyCommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  /** Several workflows can each keep their own comment (default `default`). */
  key?: string;
}

export interface StickyCommentResult {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  url: string;
}

export async function upsertStickyComment(octokit: Octokit, target: StickyCommentTarget, markdown: string): Promise<StickyCommentResult> {
  const marker = stickyMarker(target.key);
  const body = `${marker}\n${markdown}`;
  const params = { owner: target.owner, repo: target.repo, issue_number: target.issueNumber };
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...params, per_page: 100 });
  // The oldest marked comment is the sticky one; it keeps its place in the conversation.
  const existing = comments.find((c) => typeof c.body === 'string' && c.body.includes(marker));
  if (existing) {
    if (existing.body === body) return { action: 'unchanged', id: existing.id, url: existing.html_url };
    const { data } = await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: existing.id, body });
    return { action: 'updated', id: data.id, url: data.html_url };
  }
  const { data } = await octokit.rest.issues.createComment({ ...params, body });
  return { action: 'created', id: data.id, url: data.html_url };
}
