// Finds the helper a program should talk to, starting this user's own if
// needed, the way ssh-agent-style tools do: detached, logging to a file, and
// waited for until it answers so the program never races a half-started
// helper. Where bia looks (docs/architecture.md, "Which helper a program
// uses"): a socket named by --socket, BIA_SOCKET or the config file, and
// nothing else; otherwise the user's own helper if it runs, then a shared
// helper (bia helper --system) whose socket is root's to vouch for
// (socket-trust.ts) and that serves this user, then a new helper of the user's own.
// A socket someone else may control is refused, never talked to nor
// replaced (socket-trust.ts); a helper too busy to answer at once (its
// connection queue full, its answer late) is a helper: it is asked again,
// with backoff, and never made to compete with a second one.
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isBusy, request } from '../client.js';
import { MsgType, Status, type HelloBody } from '../wire/messages.js';
import { CliError, EXIT_HELPER_STUCK, EXIT_HELPER_UNAVAILABLE, EXIT_INTERNAL } from '../exit-codes.js';
import { HELPER_KEYS, KEYS, type Config } from '../config/schema.js';
import type { Source } from '../config/effective.js';
import { checkSystemSocket, requireTrusted, UntrustedSocketError } from '../socket-trust.js';
import { helperLogPath } from '../paths.js';
import { CLI_MAIN } from '../preload-path.js';
import { refuseRoot } from './root.js';
import { HELPER_NODE_FLAGS } from '../helper/node-flags.js';
import { VARIABLES } from '../config/variables.js';

const START_TIMEOUT_MS = 5000;
const POLL_MS = 20;
/** How long a helper that listens but is too busy to answer is asked again (as the native launcher does). */
const BUSY_TIMEOUT_MS = 20_000;
const BUSY_MAX_WAIT_MS = 500;

export interface HelperTarget {
  /** The user's own helper's socket, or the one the user named. */
  socketPath: string;
  /** The user named socketPath (--socket, BIA_SOCKET, config file): no other helper is looked for. */
  named: boolean;
  /** Where a shared helper would listen. */
  systemSocket: string;
  /** Where a helper started here writes its log. */
  logPath: string;
  /** Extra arguments for `bia helper` (e.g. --log-level). */
  helperArgs: string[];
  /** --allow-root: as root, a helper may be started (it serves every uid: docs/containers.md). */
  allowRoot: boolean;
}

/** The helper CONFIG asks for, logging where helpers started by bia log. SOCKETSOURCE: where config.socket came from. */
export function helperTarget(config: Config, socketSource: Source = 'default', allowRoot = false): HelperTarget {
  const settings = HELPER_KEYS.flatMap((key) => [KEYS[key].flag, String(config[key])]);
  const helperArgs = [
    ...settings,
    ...(config.synthPrefix ? ['--synth-prefix', config.synthPrefix] : []),
    ...(config.logLevel ? ['--log-level', config.logLevel] : []),
    ...(allowRoot ? ['--allow-root'] : []),
  ];
  const named = socketSource !== 'default';
  return { socketPath: config.socket, named, systemSocket: config.systemSocket, logPath: helperLogPath(), helperArgs, allowRoot };
}

/** A shared helper that does not serve this user (DENIED). */
export class DeniedError extends Error {
  constructor(readonly socketPath: string) {
    super(`the shared bia helper at ${socketPath} does not serve uid ${process.getuid!()}: ask its admin to add you (bia helper --system --allow-users/--allow-group), or use a helper of your own (unset BIA_SOCKET)`);
    this.name = 'DeniedError';
  }
}

export async function hello(socketPath: string, timeoutMs = 500): Promise<HelloBody> {
  const reply = await request(socketPath, { type: MsgType.Hello, id: 1 }, timeoutMs);
  if (reply.status === Status.Denied) throw new DeniedError(socketPath);
  if (reply.status !== Status.Ok || !('hello' in reply)) throw new Error(`the helper answered HELLO with status ${reply.status}`);
  return reply.hello;
}

/** The helper found, and what it says. */
export interface Reached {
  socketPath: string;
  hello: HelloBody;
  /** A shared helper (bia helper --system), not the user's own. */
  shared: boolean;
  /** Started here, for this command (bia env says so, as ssh-agent does). */
  started?: boolean;
}

/** Where a shared helper answers for this user; undefined (and why, for bia status) when none does. */
export async function sharedHelper(systemSocket: string, warn: (why: string) => void = () => {}): Promise<Reached | { why: string }> {
  const check = checkSystemSocket(systemSocket);
  if ('absent' in check) return { why: `no shared helper at ${systemSocket}` };
  if ('untrusted' in check) {
    const why = `ignoring the shared helper socket ${systemSocket}: ${check.untrusted}`;
    warn(why);
    return { why };
  }
  try {
    return { socketPath: check.trusted, hello: await hello(check.trusted), shared: true };
  } catch (err) {
    if (err instanceof UntrustedSocketError) warn(`ignoring the shared helper: ${err.message}`);
    return { why: (err as Error).message };
  }
}

/** HELLO, asked again with backoff while the helper is busy, up to BUSY_TIMEOUT_MS; then a clear error. */
async function patientHello(socketPath: string, timeoutMs = 500): Promise<HelloBody> {
  const giveUp = Date.now() + BUSY_TIMEOUT_MS;
  for (let wait = 10; ; wait = Math.min(wait * 2, BUSY_MAX_WAIT_MS)) {
    try {
      return await hello(socketPath, timeoutMs);
    } catch (err) {
      if (!isBusy(err)) throw err;
      if (Date.now() + wait > giveUp) {
        throw new CliError(`the helper at ${socketPath} listens but has been too busy to answer for ${BUSY_TIMEOUT_MS / 1000} s (${(err as Error).message}); try again, or restart it (bia stop, then bia run)`, EXIT_HELPER_STUCK);
      }
      await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
    }
  }
}

/** A user-facing error (a refusal, a denial) ends the search; anything else means nobody answers there. */
function userFacing(err: unknown): CliError | undefined {
  if (err instanceof DeniedError) return new CliError(err.message, EXIT_HELPER_UNAVAILABLE);
  return err instanceof CliError ? err : undefined;
}

export async function ensureHelper(target: HelperTarget): Promise<Reached> {
  if (target.named && target.socketPath === target.systemSocket) return { socketPath: target.socketPath, hello: await namedShared(target.socketPath), shared: true };
  try {
    return { socketPath: target.socketPath, hello: await patientHello(target.socketPath), shared: false };
  } catch (err) {
    const stop = userFacing(err);
    if (stop) throw stop;
    // Nobody listens: a shared helper, else start one below.
  }
  if (!target.named) {
    const shared = await sharedHelper(target.systemSocket, (why) => process.stderr.write(`bia: warning: ${why}\n`));
    if ('hello' in shared) return shared;
  }
  return { socketPath: target.socketPath, hello: await startOwn(target), shared: false, started: true };
}

// The user asked for the shared helper by name: it is the admin's to start.
async function namedShared(socketPath: string): Promise<HelloBody> {
  try {
    return await patientHello(socketPath);
  } catch (err) {
    throw userFacing(err) ?? new CliError(`the shared bia helper at ${socketPath} does not answer (${(err as Error).message}); its admin starts it (systemctl start bia-helper.socket)`, EXIT_HELPER_UNAVAILABLE);
  }
}

// A helper started here that lost a start-up race to another exits at once
// (already running, or the saved mappings in use while the winner comes
// up): whoever answers on the socket is the helper, until the deadline.
async function startOwn(target: HelperTarget): Promise<HelloBody> {
  refuseRoot(target.allowRoot); // say so here rather than as a helper that exited
  requireTrusted(target.socketPath); // never start a helper beside someone else's socket
  const { logPath } = target;
  const { exited, logFrom } = startHelper(target);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      return await hello(target.socketPath, 200);
    } catch (err) {
      const stop = userFacing(err);
      if (stop) throw stop;
      if (isBusy(err)) return patientHello(target.socketPath);
    }
    const code = exited.code;
    const lost = code === 0 || code === EXIT_HELPER_STUCK;
    if (code !== undefined && !lost) throw helperFailed(`the helper exited with status ${code}`, logPath, code, logFrom);
    if (Date.now() > deadline) throw helperFailed(code === undefined ? `no helper answered on ${target.socketPath} within ${START_TIMEOUT_MS} ms` : `the helper exited with status ${code}`, logPath, code, logFrom);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function startHelper(target: HelperTarget): { exited: { code?: number }; logFrom: number } {
  mkdirSync(dirname(target.logPath), { recursive: true, mode: 0o700 });
  const log = openSync(target.logPath, 'a', 0o600);
  const logFrom = fstatSync(log).size;
  const env: NodeJS.ProcessEnv = { ...process.env, [VARIABLES.insideHelper]: '1' };
  delete env.LD_PRELOAD; // the helper must never run through its own preload
  const child = spawn(process.execPath, [...HELPER_NODE_FLAGS, CLI_MAIN, 'helper', '--socket', target.socketPath, ...target.helperArgs], {
    detached: true,
    stdio: ['ignore', log, log],
    env,
  });
  closeSync(log);
  const exited: { code?: number } = {};
  child.on('exit', (code, signal) => (exited.code = code ?? 128 + (signal ? 1 : 0)));
  child.unref();
  return { exited, logFrom };
}

// A helper that refused to start said why in one line ("bia: ...", as any
// bia command does) and exited with bia's code for it: that line is the
// error. A crash (EXIT_INTERNAL, a signal) shows the end of its log.
function helperFailed(why: string, logPath: string, code?: number, logFrom = 0): CliError {
  let written = '';
  try {
    written = readFileSync(logPath).subarray(logFrom).toString('utf8').trimEnd();
  } catch {
    // no log to show
  }
  const refusal = written.split('\n').reverse().find((l) => l.startsWith('bia: '));
  if (refusal && code !== undefined && code > 0 && code !== EXIT_INTERNAL && code < 128) return new CliError(`the bia helper did not start: ${refusal.slice(5)}`, code);
  const tail = written.split('\n').slice(-5).join('\n');
  const shown = tail ? `\nlast lines of ${logPath}:\n${tail}` : '';
  return new CliError(`could not start the bia helper: ${why}.${shown}\nTry 'bia helper --log-level debug' in another terminal to see why.`, EXIT_HELPER_UNAVAILABLE);
}

/** Which helper bia run would use now, without starting one (bia status, bia doctor); `why`: why not a shared one. */
export async function locateHelper(target: HelperTarget): Promise<{ socketPath: string; shared: boolean; why?: string }> {
  if (target.named) {
    requireTrusted(target.socketPath);
    return { socketPath: target.socketPath, shared: target.socketPath === target.systemSocket };
  }
  // A busy helper is one; a refused socket is said so, not passed over.
  const own = await hello(target.socketPath).then(
    () => true,
    (err: unknown) => {
      if (err instanceof CliError) throw err;
      return isBusy(err);
    },
  );
  if (own) return { socketPath: target.socketPath, shared: false };
  const shared = await sharedHelper(target.systemSocket);
  if ('hello' in shared) return { socketPath: shared.socketPath, shared: true };
  return { socketPath: target.socketPath, shared: false, why: shared.why };
}
