// `bia helper`: the address mapper and extension name resolver, in the
// foreground, until SIGINT or SIGTERM. With --system, the shared helper of
// the users an admin allows (docs/architecture.md, "The shared helper");
// as root (--allow-root), the helper of every uid of its container.
import { parseArgs, stringOption } from './args.js';
import { optionSpec } from './commands.js';
import { effectiveConfig } from '../config/effective.js';
import type { Config } from '../config/schema.js';
import { CliError, EXIT_CONFIG, EXIT_HELPER_STUCK, EXIT_USAGE } from '../exit-codes.js';
import { StateInUseError } from '../helper/statestore.js';
import { HelperRunningError } from '../helper/listener.js';
import { startHelper, type HelperOptions } from '../helper/server.js';
import { needsExemption, rerunExempt } from './exempt.js';
import { inheritedListener, ListenFdsError } from '../helper/listen-fds.js';
import { refuseRoot } from './root.js';
import { allowList } from './allow.js';
import { EVERYONE } from '../helper/admission.js';
import { helperLogPath, systemStateDir } from '../paths.js';
import { batchScheduling } from '../native.js';
import { CLI_MAIN } from '../preload-path.js';
import { watchInstall } from '../helper/install-watch.js';
import { capStderrLog } from '../helper/log-cap.js';

const SYSTEM_FLAGS = ['--allow-users', '--allow-group'];

export async function helper(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, optionSpec('helper'));
  if (rest.length) throw new CliError(`helper takes no arguments (got ${rest[0]})`, EXIT_USAGE);
  const { config } = effectiveConfig(options);
  refuseRoot(options.has('--allow-root'));
  if (needsExemption()) return rerunExempt();
  const where = options.has('--system') ? systemHelper(config, options) : process.geteuid!() === 0 ? rootHelper(options) : perUserHelper(options);
  const listenFd = systemdSocket();
  const uncap = capStderrLog(helperLogPath());
  let running;
  try {
    const synth = { format: config.synth, prefix: config.synthPrefix, plane: config.planeId };
    running = await startHelper({
      socketPath: config.socket,
      ...where,
      listenFd,
      network: config.network,
      pool: config.pool,
      nat64: config.nat64,
      synth,
      logLevel: config.logLevel,
      scope: config.poolScope,
      quotas: { perProcess: config.quotaPerProcess, perUser: config.quotaPerUser, ratePerProcess: config.ratePerProcess, ratePerUser: config.ratePerUser },
    });
    // After start-up (so no start-up race is lost to it): see native/sched.cc.
    const notBatch = batchScheduling();
    if (notBatch) process.stderr.write(`bia-helper: staying on the default scheduling policy (SCHED_BATCH: ${notBatch}); programs' first connects may wait for the helper's wake-ups\n`);
  } catch (err) {
    if (err instanceof HelperRunningError) {
      process.stderr.write(`bia: ${err.message}\n`);
      return 0;
    }
    if (err instanceof StateInUseError) throw new CliError(err.message, EXIT_HELPER_STUCK);
    throw err;
  }
  let unwatch = (): void => {};
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    unwatch = watchInstall(CLI_MAIN, (why) => {
      process.stderr.write(`bia-helper: ${why}; stopping\n`);
      resolve();
    });
  });
  unwatch();
  uncap();
  await running.close();
  return 0;
}

function perUserHelper(options: Map<string, string | true>): Partial<HelperOptions> {
  const stray = SYSTEM_FLAGS.find((f) => options.has(f));
  if (stray) throw new CliError(`${stray} is for a shared helper: bia helper --system ${stray} ...`, EXIT_USAGE);
  return {};
}

// Root's helper (allowed with --allow-root: a container, a sandbox) serves
// every uid that can reach it, so that programs which drop privileges
// (nginx's workers, apt's _apt downloads) keep working, unless the admin
// names whom (docs/containers.md).
function rootHelper(options: Map<string, string | true>): Partial<HelperOptions> {
  const allow = allowList(stringOption(options.get('--allow-users')), stringOption(options.get('--allow-group')));
  return { container: true, allow: allow ?? EVERYONE };
}

// The shared helper: the system socket, the system state directory, and the
// users and groups it serves (by default only its own uid, which serves
// nobody else until the admin says whom).
function systemHelper(config: Config, options: Map<string, string | true>): Partial<HelperOptions> {
  const allow = allowList(stringOption(options.get('--allow-users')), stringOption(options.get('--allow-group')));
  if (!allow) process.stderr.write(`bia: warning: the shared helper serves only uid ${process.getuid!()} (itself) until given --allow-users or --allow-group\n`);
  return { socketPath: config.systemSocket, stateDir: systemStateDir(), shared: true, allow };
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
