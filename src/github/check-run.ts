/**
 * A check run with the report's findings as annotations. The Checks API takes at most 50 annotations
 * per request, so the run is created with the first 50 and updated with each further batch of 50
 * (GitHub appends them).
 */
import type { Octokit } from '@octokit/rest';
import type { Finding } from '../report/sarif-findings.js';

export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit for output.summary, output.text, and an annotation's message and raw_details. */
const TEXT_LIMIT = 65_535;

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

function cut(text: string, max = TEXT_LIMIT): string {
  return text.length <= max ? text : text.slice(0, max - 20) + '\n… (truncated)';
}

export function checkAnnotation(f: Finding): CheckAnnotation {
  // A whole-file finding goes on line 1: the API requires a line.
  const start = f.line > 0 ? f.line : 1;
  const end = f.endLine !== undefined && f.endLine >= start ? f.endLine : start;
  const a: CheckAnnotation = {
    path: f.file,
    start_line: start,
    end_line: end,
    annotation_level: f.severity === 'error' ? 'failure' : f.severity === 'warning' ? 'warning' : 'notice',
    message: cut(f.message),
    title: f.title.slice(0, 255),
  };
  // Columns are only allowed when the annotation is on one line.
  if (start === end && f.line > 0 && f.column > 0) {
    a.start_column = f.column;
    a.end_column = f.endColumn !== undefined && f.endColumn >= f.column ? f.endColumn : f.column;
  }
  if (f.details) a.raw_details = cut(f.details);
  return a;
}

export interface CheckRunInput {
  owner: string;
  repo: string;
  headSha: string;
  name: string;
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  summary: string;
  annotations: CheckAnnotation[];
  detailsUrl?: string;
}

export interface CheckRunResult {
  id: number;
  url: string;
  /** Requests that carried annotations (create + updates). */
  batches: number;
}

export async function publishCheckRun(octokit: Octokit, input: CheckRunInput): Promise<CheckRunResult> {
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < input.annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(input.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const output = (annotations: CheckAnnotation[] | undefined) => ({
    title: input.title.slice(0, 255),
    summary: cut(input.summary),
    ...(annotations?.length ? { annotations } : {}),
  });
  const { data } = await octokit.rest.checks.create({
    owner: input.owner,
    repo: input.repo,
    name: input.name,
    head_sha: input.headSha,
    status: 'completed',
    conclusion: input.conclusion,
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    output: output(batches[0]),
  });
  for (const batch of batches.slice(1)) {
    await octokit.rest.checks.update({ owner: input.owner, repo: input.repo, check_run_id: data.id, output: output(batch) });
  }
  return { id: data.id, url: data.html_url ?? '', batches: batches.length };
}
