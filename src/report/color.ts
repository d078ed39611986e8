import { Chalk, type ChalkInstance } from 'chalk';

/**
 * Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org);
 * FORCE_COLOR=1 forces it (useful in CI logs that render ANSI).
 */
export function colorFor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const enabled = forced || (!!stream.isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb');
  return new Chalk({ level: enabled ? 1 : 0 });
}
