// `bia helper`: the address mapper and extension name resolver, in the
// foreground, until SIGINT or SIGTERM.
import { parseArgs } from './args.js';
import { effectiveConfig } from '../config/effective.js';
import { CONFIG_FLAGS } from '../config/schema.js';
import { CliError, EXIT_USAGE } from './exit-codes.js';
import { startHelper, HelperRunningError } from '../helper/server.js';
import { needsExemption, rerunExempt } from './exempt.js';

export async function helper(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, { values: CONFIG_FLAGS, flags: [] });
  if (rest.length) throw new CliError(`bia helper takes no arguments (got ${rest[0]})`, EXIT_USAGE);
  const { config } = effectiveConfig(options);
  if (needsExemption()) return rerunExempt();
  let running;
  try {
    running = await startHelper({ socketPath: config.socket, network: config.network, pool: config.pool, logLevel: config.logLevel });
  } catch (err) {
    if (err instanceof HelperRunningError) {
      process.stderr.write(`bia: ${err.message}\n`);
      return 0;
    }
    throw err;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
  return 0;
}
