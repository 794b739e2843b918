#!/usr/bin/env node
// The bia command line: dispatches to one file per command.
// Each command's module is loaded only when it runs: `bia run` is on the
// start path of every program it launches, and loading every command (the
// lab, the demo, doctor, ...) doubled Node's own start-up time.
import { ConfigError } from '../config/file.js';
import { CliError, EXIT_CONFIG, EXIT_INTERNAL, EXIT_USAGE } from '../exit-codes.js';

async function version(): Promise<string> {
  const [{ readFileSync }, { join }, { packageRoot }] = await Promise.all([import('node:fs'), import('node:path'), import('../package-root.js')]);
  return JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;
}

async function help(): Promise<string> {
  return (await import('./help.js')).HELP;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `bia run --help` is a question about bia, not a command to run.
  if (rest[0] === '--help' || rest[0] === '-h') return main(['--help']);
  switch (command) {
    case 'run':
      return (await import('./run.js')).run(rest);
    case 'helper':
      return (await import('./helper.js')).helper(rest);
    case 'env':
      return (await import('./env.js')).env(rest);
    case 'status':
      return (await import('./status.js')).status(rest);
    case 'doctor':
      return (await import('./doctor.js')).doctor(rest);
    case 'stop':
      return (await import('./stop.js')).stop(rest);
    case 'demo':
      return (await import('./demo.js')).demo(rest);
    case 'install':
      return rest.includes('--system') ? (await import('./system-unit.js')).installSystem(rest) : (await import('./user-unit.js')).install(rest);
    case 'uninstall':
      return rest.includes('--system') ? (await import('./system-unit.js')).uninstallSystem(rest) : (await import('./uninstall.js')).uninstall(rest);
    case '--version':
    case '-V':
      process.stdout.write(`bia ${await version()}\n`);
      return 0;
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(await help());
      return 0;
    case undefined:
      process.stderr.write(await help());
      return EXIT_USAGE;
    default:
      throw new CliError(`unknown command '${command}' (see bia --help)`, EXIT_USAGE);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof CliError || err instanceof ConfigError) {
      process.stderr.write(`bia: ${err.message}\n`);
      process.exit(err instanceof CliError ? err.code : EXIT_CONFIG);
    }
    process.stderr.write(`bia: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(EXIT_INTERNAL);
  },
);
