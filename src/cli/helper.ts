// `bia helper`: the address mapper and extension name resolver, in the
// foreground, until SIGINT or SIGTERM.
import { logLevelOption, networkOption, parseArgs, stringOption } from './args.js';
import { CliError, EXIT_USAGE } from './exit-codes.js';
import { socketPath } from '../paths.js';
import { startHelper, HelperRunningError } from '../helper/server.js';

export async function helper(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, { values: ['--socket', '--network', '--pool', '--log-level'], flags: [] });
  if (rest.length) throw new CliError(`bia helper takes no arguments (got ${rest[0]})`, EXIT_USAGE);
  let running;
  try {
    running = await startHelper({
      socketPath: stringOption(options.get('--socket')) ?? socketPath(),
      network: networkOption(options.get('--network')) ?? 'auto',
      pool: stringOption(options.get('--pool')),
      logLevel: logLevelOption(options.get('--log-level')),
    });
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
