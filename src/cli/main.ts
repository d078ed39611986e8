/**
 * The `ruleproof` command line. Each command loads what it needs, runs one stage of the pipeline
 * and renders its JSON report; exit codes follow DESIGN.md (2 usage/load, 1 findings/failures, 0 ok).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ContentError, formatLocation, type Diagnostic } from '../util/diagnostics.js';
import { TOOL_VERSION } from '../util/version.js';
import { findRoot, loadConfig, type RuleproofConfig } from './config.js';
import { colorFor } from '../report/color.js';
import { renderDiagnostics } from '../report/console-diagnostics.js';
import { MACHINE_FORMATS } from './format-names.js';
import { configureDatasetReading } from '../events/reading-defaults.js';
import { parseRebaseTime } from '../events/order.js';
import { invalidLimitSettings } from '../util/limits.js';
import { bundledAttackVersion, bundledAttackVersions } from '../lint/attack/catalogue.js';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Where relative output files go and where the config is searched from. */
  cwd: string;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

export function defaultIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    isTTY: !!process.stdout.isTTY,
    env: process.env,
  };
}

export function writeOutputFile(io: CliIO, file: string, content: string): void {
  const target = path.resolve(io.cwd, file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, content);
}

// Commands load their modules when they run: `ruleproof query` need not load the linter, ajv or
// octokit, and start-up time counts in every CI step and benchmark.

/** Parse and run; returns the exit code instead of exiting, so tests can call it in-process. */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  let exitCode = 0;
  const color = colorFor({ isTTY: io.isTTY }, io.env);
  const config = (): RuleproofConfig => loadConfig(findRoot(io.cwd));
  const program = new Command('ruleproof')
    .description('Test harness and linter for detection content')
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run `ruleproof --help` for usage)');

  // --rebase applies to every dataset the command reads, wherever it is read (worker threads too).
  program.hook('preAction', (_program, action) => {
    // A limit variable the engine cannot read would silently fall back to its default.
    const badLimits = invalidLimitSettings(io.env);
    if (badLimits.length > 0) {
      for (const problem of badLimits) io.stderr(`ruleproof: error: ${problem}\n`);
      throw new CommanderError(2, 'ruleproof.limits', badLimits.join('; '));
    }
    const rebase = (action.opts() as { rebase?: string }).rebase;
    configureDatasetReading(rebase === undefined ? {} : { rebase });
  });

  const formatOption = (choices: string[], dflt: string) =>
    new Option('-f, --format <format>', 'output format').choices(choices).default(dflt);

  program
    .command('lint')
    .description('load rules and lint their metadata, ATT&CK mappings and queries')
    .argument('[paths...]', 'rule files or directories (default: the configured rule paths)')
    .addOption(formatOption(['stylish', ...MACHINE_FORMATS], 'stylish'))
    .option('--json <file>', 'also write the JSON report to a file')
    .option('--sarif <file>', 'also write SARIF 2.1.0 (code scanning) to a file')
    .option('--junit <file>', 'also write JUnit XML to a file')
    .option('--markdown <file>', 'also write the Markdown summary to a file')
    .option('--baseline <file>', 'a findings baseline (from --baseline-write): report and gate only new findings; or a JSON report from the base branch to compare with in the summary')
    .option('--baseline-write <file>', 'write the current findings as a baseline (file, check, message; line-independent) and pass')
    .option('--changed-since <ref>', 'report only findings in files changed since this git ref (and in the rules they touch)')
    .option('--max-warnings <n>', 'fail when there are more warnings than this', (v) => parseCount(v, '--max-warnings'))
    .option('--attack-version <version>', 'ATT&CK catalogue version to check against', parseAttackVersionArg)
    .option('--fix', 'write fixes into the rule files first (ATT&CK names, reference URLs, revoked techniques), keeping comments and layout')
    .action(async (paths: string[], opts) => {
      exitCode = await (await import('./commands.js')).lintCommand(io, config(), paths, opts, color);
    });

  program
    .command('test')
    .description("replay every rule's tests over their datasets")
    .argument('[paths...]', 'rule files or directories (default: the configured rule paths)')
    .addOption(formatOption(['console', ...MACHINE_FORMATS], 'console'))
    .option('--rule <id-or-name...>', 'only rules whose id, name or file contains this')
    .option('--dataset <path...>', 'only tests on datasets whose path contains this')
    .option('--json <file>', 'also write the JSON report to a file')
    .option('--sarif <file>', 'also write SARIF 2.1.0 (code scanning) to a file')
    .option('--junit <file>', 'also write JUnit XML to a file')
    .option('--markdown <file>', 'also write the Markdown summary to a file')
    .option('--baseline <report.json>', "compare with a report from the base branch in the summary")
    .option('--shard <i/n>', 'run only this runner\'s share of the rules (deterministic, balanced by dataset size)')
    .option('--cache <dir>', 'reuse results of rules whose rule, tests, datasets and ruleproof did not change')
    .option('--changed-since <ref>', 'only rules whose files or datasets changed since this git ref')
    .option('--strict', 'malformed dataset records fail the tests that read them')
    .option('--jobs <n>', 'read this many datasets at once, on worker threads', (v) => parseCount(v, '--jobs'))
    .option('-v, --verbose', 'show every test with its dataset and reason')
    .option('--clause-coverage', 'report which predicates the test datasets made true and false, and unexercised exclusions')
    .option('--mutate', 'drop and negate each exclusion in turn and report the quiet tests that still pass')
    .option('--update', 'rewrite the counts of fire tests whose alert count changed, showing the diff')
    .option('--rebase <time>', REBASE_HELP, parseRebaseArg)
    .action(async (paths: string[], opts) => {
      exitCode = await (await import('./commands.js')).testCommand(io, config(), paths, opts, color);
    });

  program
    .command('check')
    .description('the whole gate: lint, replay every test, summarize ATT&CK coverage (what `npm start` runs)')
    .argument('[paths...]', 'rule files or directories (default: the configured rule paths)')
    .addOption(formatOption(['console', ...MACHINE_FORMATS], 'console'))
    .option('--json <file>', 'also write the JSON report to a file')
    .option('--sarif <file>', 'also write SARIF 2.1.0 (code scanning) to a file')
    .option('--junit <file>', 'also write JUnit XML to a file')
    .option('--markdown <file>', 'also write the Markdown summary to a file')
    .option('--baseline <file>', 'a lint findings baseline (from lint --baseline-write): gate only new lint findings; or a JSON report from the base branch to compare with in the summary')
    .option('--shard <i/n>', 'run only this runner\'s share of the rules (deterministic, balanced by dataset size)')
    .option('--cache <dir>', 'reuse results of rules whose rule, tests, datasets and ruleproof did not change')
    .option('--changed-since <ref>', 'only rules whose files or datasets changed since this git ref')
    .option('--strict', 'malformed dataset records fail the tests that read them')
    .option('--jobs <n>', 'read this many datasets at once, on worker threads', (v) => parseCount(v, '--jobs'))
    .option('-v, --verbose', 'show every test with its dataset and reason')
    .option('--attack-version <version>', 'ATT&CK catalogue version the lint pass checks against', parseAttackVersionArg)
    .action(async (paths: string[], opts) => {
      exitCode = await (await import('./commands.js')).checkCommand(io, config(), paths, opts, color);
    });

  program
    .command('run')
    .description('ad hoc: print the alerts of one rule on one dataset as NDJSON')
    .requiredOption('--rule <id-name-or-file>', 'the rule')
    .requiredOption('--data <path...>', 'dataset file(s)')
    .option('--explain', 'when nothing fires, explain why the nearest events did not match')
    .option('--rebase <time>', REBASE_HELP, parseRebaseArg)
    .action(async (opts) => {
      exitCode = await (await import('./adhoc.js')).runCommand(io, config(), opts, color);
    });

  program
    .command('query')
    .description('ad hoc: run a query over datasets and print the matches as NDJSON')
    .requiredOption('-l, --language <language>', 'query language (eql)')
    .option('--field-view <view>', 'schema the query is written in', 'ecs')
    .option('--dialect <dialect>', 'language dialect (eql: elasticsearch | endgame)')
    .option('--rebase <time>', REBASE_HELP, parseRebaseArg)
    .argument('<query>', 'the query text')
    .argument('<data...>', 'dataset files')
    .action(async (query: string, data: string[], opts) => {
      exitCode = await (await import('./adhoc.js')).queryCommand(io, config(), query, data, opts);
    });

  program
    .command('events')
    .description('print the canonical events of datasets as NDJSON: what a rule sees')
    .argument('<data...>', 'dataset files')
    .option('--raw', 'print the parsed records before normalization')
    .option('--rebase <time>', REBASE_HELP, parseRebaseArg)
    .action(async (data: string[], opts) => {
      exitCode = await (await import('./data.js')).eventsCommand(io, config(), data, opts, color);
    });

  program
    .command('datasets')
    .description('list datasets: format, events, time span, hosts, channels, event IDs')
    .argument('[paths...]', 'dataset files or directories (default: the configured dataset paths)')
    .addOption(formatOption(['console', 'json'], 'console'))
    .action(async (paths: string[], opts) => {
      exitCode = await (await import('./data.js')).datasetsCommand(io, config(), paths, opts, color);
    });

  program
    .command('coverage')
    .description('ATT&CK coverage of the current rules: Navigator layer, HTML matrix, Markdown or JSON')
    .argument('[paths...]', 'rule files or directories (default: the configured rule paths)')
    .addOption(new Option('-f, --format <format>', 'output format (with --out: only this file)').choices(['navigator', 'html', 'markdown', 'json']))
    .option('--out <dir>', 'write one file per format into this directory (all four without --format)')
    .option('--report <file>', 'use this test/check JSON report instead of replaying the tests')
    .option('--attack-version <version>', 'ATT&CK catalogue version', parseAttackVersionArg)
    .option('--strict', 'malformed dataset records fail the tests that read them')
    .option('--clause-coverage', 'include clause coverage of each rule by its tests')
    .option('--mutate', 'include the mutation check of exclusions (implies --clause-coverage)')
    .action(async (paths: string[], opts) => {
      exitCode = await (await import('./coverage.js')).coverageCommand(io, config(), paths, opts, color);
    });

  program
    .command('merge-reports')
    .description('merge the JSON reports of shards (lint, test or check) into one and render it')
    .argument('<files...>', 'JSON reports written with --json by each shard')
    .addOption(formatOption(['console', ...MACHINE_FORMATS], 'console'))
    .option('--json <file>', 'also write the merged JSON report to a file')
    .option('--sarif <file>', 'also write SARIF 2.1.0 (code scanning) to a file')
    .option('--junit <file>', 'also write JUnit XML to a file')
    .option('--markdown <file>', 'also write the Markdown summary to a file')
    .option('--baseline <report.json>', 'compare with a report from the base branch in the summary')
    .option('-v, --verbose', 'show every test with its dataset and reason')
    .action(async (files: string[], opts) => {
      exitCode = await (await import('./merge-reports.js')).mergeReportsCommand(io, files, opts, color);
    });

  const github = program.command('github').description('publish a JSON report to a pull request through the GitHub REST API (token from GITHUB_TOKEN)');
  github
    .command('comment')
    .description('write or update the sticky pull-request comment with the summary')
    .requiredOption('--report <file>', 'the lint, test or check JSON report')
    .option('--repo <owner/name>', 'repository (default: GITHUB_REPOSITORY)')
    .option('--pr <number>', 'pull request number (default: from the pull_request event)', (v) => parseCount(v, '--pr'))
    .option('--key <key>', 'keep one comment per key (several workflows on one PR)')
    .option('--baseline <report.json>', 'compare with a report from the base branch')
    .option('--api-url <url>', 'GitHub API URL (default: GITHUB_API_URL or https://api.github.com)')
    .option('--debug', 'log the API calls (the token is redacted)')
    .action(async (opts) => {
      exitCode = await (await import('./github.js')).githubCommentCommand(io, opts);
    });
  github
    .command('check')
    .description('create a check run with the findings as annotations (in batches of 50)')
    .requiredOption('--report <file>', 'the lint, test or check JSON report')
    .option('--repo <owner/name>', 'repository (default: GITHUB_REPOSITORY)')
    .option('--sha <sha>', 'commit (default: the pull request head, else GITHUB_SHA)')
    .option('--name <name>', 'check run name', 'ruleproof')
    .option('--baseline <report.json>', 'compare with a report from the base branch')
    .option('--api-url <url>', 'GitHub API URL (default: GITHUB_API_URL or https://api.github.com)')
    .option('--debug', 'log the API calls (the token is redacted)')
    .action(async (opts) => {
      exitCode = await (await import('./github.js')).githubCheckCommand(io, opts);
    });

  program
    .command('regress')
    .description('rules changed since a git ref (or two rule files): version-bump verdicts and alert diffs old vs new')
    .argument('[paths...]', 'rule files or directories (default: the configured rule paths)')
    .option('--base <ref>', 'git ref to compare the working tree with (default: the merge base with the default branch)')
    .option('--from <file>', 'old version of a rule (with --to)')
    .option('--to <file>', 'new version of a rule (with --from)')
    .option('--all-datasets', 'replay over every bundled dataset, not only those the tests name')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['console', 'json', 'markdown']).default('console'))
    .option('--json <file>', 'also write the JSON report to a file')
    .option('--markdown <file>', 'also write the Markdown report to a file')
    .action(async (paths: string[], opts) => {
      exitCode = await (await import('./regress.js')).regressCommand(io, config(), paths, opts, color);
    });

  program
    .command('lock')
    .description('check ruleproof.lock.json (id → version + behaviour hash) against the rules, or --update it')
    .argument('[paths...]', 'rule files or directories (default: the configured rule paths)')
    .option('--update', 'record the current versions and hashes (bumping versions the lock owns)')
    .addOption(formatOption(['console', 'json'], 'console'))
    .action(async (paths: string[], opts) => {
      exitCode = await (await import('./lock.js')).lockCommand(io, config(), paths, opts, color);
    });

  program
    .command('new-test')
    .description('write a test case for a rule from its current outcome on a dataset (count and a distinguishing match)')
    .requiredOption('--rule <id-name-or-file>', 'the rule')
    .requiredOption('--dataset <path>', 'the dataset')
    .option('--name <name>', 'test name (default: the dataset file name)')
    .option('--reason <text>', 'why the case exists (required by quiet tests)')
    .option('--dry-run', 'show the test case without writing it')
    .action(async (opts) => {
      exitCode = await (await import('./new-test.js')).newTestCommand(io, config(), opts, color);
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0 through here; every other parse failure is a usage error.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof ContentError) {
      io.stderr(renderDiagnostics([err.diagnostic], color) + '\n');
      return 2;
    }
    throw err;
  }
}

const REBASE_HELP = 'replay every dataset as if its first event happened at this time (ISO 8601 with a zone, e.g. 2024-01-31T09:00:00Z)';

function parseRebaseArg(value: string): string {
  if (Number.isNaN(parseRebaseTime(value))) throw new InvalidArgumentError('--rebase takes an ISO 8601 time with a zone (2024-01-31T09:00:00Z).');
  return value;
}

function parseAttackVersionArg(value: string): string {
  if (bundledAttackVersion(value) === undefined) {
    throw new InvalidArgumentError(`ATT&CK version "${value}" is not bundled with ruleproof (bundled: ${bundledAttackVersions().join(', ')}).`);
  }
  return value;
}

function parseCount(value: string, flag: string): number {
  const n = Number(value);
  // InvalidArgumentError: commander prints it with the option's name ("error: option … argument … is invalid").
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} takes a whole number, got "${value}".`);
  return n;
}

export function describeDiagnostic(d: Diagnostic): string {
  return `${formatLocation(d)}: ${d.severity}: ${d.message}`;
}
