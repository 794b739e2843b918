#!/usr/bin/env node
// The bia command line: run, helper, demo.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../lab/lab.js';
import { CliError, EXIT_INTERNAL, EXIT_USAGE } from './exit-codes.js';
import { demo } from './demo.js';
import { helper } from './helper.js';
import { run } from './run.js';

const HELP = `bia - run IPv4-only programs on IPv6-only networks (Bump-in-the-API)

bia translates a program's IPv4 socket calls to IPv6 at the socket API:
names that only have IPv6 addresses resolve to stand-in IPv4 addresses
(from a private pool, default 198.18.0.0/15), and connecting to one of those
opens a real IPv6 connection. Data flows through the kernel untouched.

Usage:
  bia run [OPTIONS] [--] CMD [ARGS...]   run CMD with bia
  bia helper [OPTIONS]                   run the helper in the foreground
  bia demo                               show bia at work in a sandbox
  bia --help | --version

Options of run:
  --network MODE     auto (default), dual, ipv6-only or ipv4-only: what the
                     network offers, when detection guesses wrong
  --log-level LEVEL  error, warn (default), info, debug or trace; info shows
                     every translated call
  --socket PATH      the helper's socket (default: $BIA_SOCKET, else
                     $XDG_RUNTIME_DIR/bia/helper.sock)

Options of helper: --socket, --network, --log-level as above, and
  --pool CIDR        the IPv4 pool for IPv6-only peers (default 198.18.0.0/15)

Examples:
  bia run -- curl -4 http://v6only.example/    an IPv4-only client, any peer
  bia run --log-level info -- nc.traditional v6only.example 80
  bia demo                                      no network or root needed

bia run starts this user's helper when none is running and exits with CMD's
status (128+N when CMD dies of signal N). Its own failures exit 64 (usage),
69 (helper unavailable), 70 (internal), 126/127 (CMD not executable/found).
`;

function version(): string {
  return JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return run(rest);
    case 'helper':
      return helper(rest);
    case 'demo':
      return demo(rest);
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
    if (err instanceof CliError) {
      process.stderr.write(`bia: ${err.message}\n`);
      process.exit(err.code);
    }
    process.stderr.write(`bia: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(EXIT_INTERNAL);
  },
);
