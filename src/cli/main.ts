#!/usr/bin/env node
// The bia command line: dispatches to one file per command.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../lab/lab.js';
import { ConfigError } from '../config/file.js';
import { CliError, EXIT_CONFIG, EXIT_INTERNAL, EXIT_USAGE } from './exit-codes.js';
import { demo } from './demo.js';
import { doctor } from './doctor.js';
import { env } from './env.js';
import { HELP } from './help.js';
import { helper } from './helper.js';
import { run } from './run.js';
import { status } from './status.js';
import { stop } from './stop.js';
import { install, uninstall } from './user-unit.js';

function version(): string {
  return JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `bia run --help` is a question about bia, not a command to run.
  if (rest[0] === '--help' || rest[0] === '-h') return main(['--help']);
  switch (command) {
    case 'run':
      return run(rest);
    case 'helper':
      return helper(rest);
    case 'env':
      return env(rest);
    case 'status':
      return status(rest);
    case 'doctor':
      return doctor(rest);
    case 'stop':
      return stop(rest);
    case 'demo':
      return demo(rest);
    case 'install':
      return install(rest);
    case 'uninstall':
      return uninstall(rest);
    case '--version':
    case '-V':
      process.stdout.write(`bia ${version()}\n`);
      return 0;
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return 0;
    case undefined:
      process.stderr.write(HELP);
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
