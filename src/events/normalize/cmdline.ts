/**
 * Windows command-line splitting as Elastic's ingest pipelines do it for `process.args`: the
 * CommandLineToArgvW conventions with the "prior to 2008" rule for doubled quotes inside a quoted
 * argument. Spaces and tabs separate arguments outside quotes; backslashes are literal unless they
 * precede a quote, where 2n backslashes give n and open/close a quote, and 2n+1 give n and a
 * literal quote.
 */
export function splitWindowsCommandLine(commandLine: string): string[] {
  const args: string[] = [];
  let i = 0;
  const n = commandLine.length;
  while (i < n) {
    const c = commandLine[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    let arg = '';
    let inQuote = false;
    let backslashes = 0;
    for (; i < n; i++) {
      const ch = commandLine[i] as string;
      if ((ch === ' ' || ch === '\t') && !inQuote) break;
      if (ch === '\\') {
        backslashes++;
        continue;
      }
      if (ch === '"') {
        arg += '\\'.repeat(backslashes >> 1);
        if (backslashes % 2 === 0) {
          // Pre-2008 rule: "" inside quotes is one literal quote, and the quoting state still toggles.
          if (inQuote && commandLine[i + 1] === '"') {
            arg += '"';
            i++;
          }
          inQuote = !inQuote;
        } else {
          arg += '"';
        }
        backslashes = 0;
        continue;
      }
      arg += '\\'.repeat(backslashes) + ch;
      backslashes = 0;
    }
    arg += '\\'.repeat(backslashes);
    args.push(arg);
  }
  return args;
}
