// `bia helper`: the address mapper and extension name resolver, in the
// foreground, until SIGINT or SIGTERM.
import { parseArgs } from './args.js';
import { effectiveConfig } from '../config/effective.js';
import { CONFIG_FLAGS } from '../config/schema.js';
import { CliError, EXIT_CONFIG, EXIT_HELPER_STUCK, EXIT_USAGE } from './exit-codes.js';
import { StateInUseError } from '../helper/statestore.js';
import { startHelper, HelperRunningError } from '../helper/server.js';
import { needsExemption, rerunExempt } from './exempt.js';
import { inheritedListener, ListenFdsError } from '../helper/listen-fds.js';
import { refuseRoot } from './root.js';

export async function helper(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, { values: CONFIG_FLAGS, flags: ['--allow-root'] });
  if (rest.length) throw new CliError(`bia helper takes no arguments (got ${rest[0]})`, EXIT_USAGE);
  const { config } = effectiveConfig(options);
  refuseRoot(options.has('--allow-root'));
  if (needsExemption()) return rerunExempt();
  const listenFd = systemdSocket();
  let running;
  try {
    const synth = { format: config.synth, prefix: config.synthPrefix, plane: config.planeId };
    running = await startHelper({
      socketPath: config.socket,
      listenFd,
      network: config.network,
      pool: config.pool,
      nat64: config.nat64,
      synth,
      logLevel: config.logLevel,
      scope: config.poolScope,
      quotas: { perProcess: config.quotaPerProcess, perUser: config.quotaPerUser, ratePerProcess: config.ratePerProcess, ratePerUser: config.ratePerUser },
    });
  } catch (err) {
    if (err instanceof HelperRunningError) {
      process.stderr.write(`bia: ${err.message}\n`);
      return 0;
    }
    if (err instanceof StateInUseError) throw new CliError(err.message, EXIT_HELPER_STUCK);
    throw err;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
  return 0;
}

// A bad LISTEN_FDS is a setting gone wrong (the .socket unit), not a crash.
function systemdSocket(): number | undefined {
  try {
    return inheritedListener();
  } catch (err) {
    if (err instanceof ListenFdsError) throw new CliError(err.message, EXIT_CONFIG);
    throw err;
  }
}
