// Finds the helper a program should talk to, starting this user's own if
// needed, the way ssh-agent-style tools do: detached, logging to a file, and
// waited for until it answers so the program never races a half-started
// helper. Where bia looks (docs/architecture.md, "Which helper a program
// uses"): a socket named by --socket, BIA_SOCKET or the config file, and
// nothing else; otherwise the user's own helper if it runs, then a shared
// helper (bia helper --system) whose socket is root's to vouch for
// (system-socket.ts) and that serves this user, then a new helper of the user's own.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { request } from '../client.js';
import { MsgType, Status, type HelloBody } from '../protocol.js';
import { CliError, EXIT_HELPER_UNAVAILABLE } from './exit-codes.js';
import { HELPER_KEYS, KEYS, type Config } from '../config/schema.js';
import type { Source } from '../config/effective.js';
import { checkSystemSocket } from './system-socket.js';
import { helperLogPath } from '../paths.js';
import { CLI_MAIN } from '../preload-path.js';
import { refuseRoot } from './root.js';
import { HELPER_NODE_FLAGS } from '../helper/node-flags.js';

const START_TIMEOUT_MS = 5000;
const POLL_MS = 20;

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
    return { why: (err as Error).message };
  }
}

export async function ensureHelper(target: HelperTarget): Promise<Reached> {
  if (target.named && target.socketPath === target.systemSocket) return { socketPath: target.socketPath, hello: await namedShared(target.socketPath), shared: true };
  try {
    return { socketPath: target.socketPath, hello: await hello(target.socketPath), shared: false };
  } catch (err) {
    if (err instanceof DeniedError) throw new CliError(err.message, EXIT_HELPER_UNAVAILABLE);
    // Nobody answers: a shared helper, else start one below.
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
    return await hello(socketPath);
  } catch (err) {
    const why = err instanceof DeniedError ? err.message : `the shared bia helper at ${socketPath} does not answer (${(err as Error).message}); its admin starts it (systemctl start bia-helper.socket)`;
    throw new CliError(why, EXIT_HELPER_UNAVAILABLE);
  }
}

async function startOwn(target: HelperTarget): Promise<HelloBody> {
  refuseRoot(target.allowRoot); // say so here rather than as a helper that exited
  const { logPath } = target;
  const exited = startHelper(target);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const code = exited.code;
    if (code !== undefined && code !== 0) throw helperFailed(`the helper exited with status ${code}`, logPath);
    try {
      return await hello(target.socketPath, 200);
    } catch (err) {
      if (err instanceof DeniedError) throw new CliError(err.message, EXIT_HELPER_UNAVAILABLE);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  throw helperFailed(`no helper answered on ${target.socketPath} within ${START_TIMEOUT_MS} ms`, logPath);
}

function startHelper(target: HelperTarget): { code?: number } {
  mkdirSync(dirname(target.logPath), { recursive: true, mode: 0o700 });
  const log = openSync(target.logPath, 'a', 0o600);
  const env: NodeJS.ProcessEnv = { ...process.env, BIA_INSIDE_HELPER: '1' };
  delete env.LD_PRELOAD; // the helper must never run through its own preload
  const child = spawn(process.execPath, [...HELPER_NODE_FLAGS, CLI_MAIN, 'helper', '--socket', target.socketPath, ...target.helperArgs], {
    detached: true,
    stdio: ['ignore', log, log],
    env,
  });
  closeSync(log);
  const state: { code?: number } = {};
  child.on('exit', (code, signal) => (state.code = code ?? 128 + (signal ? 1 : 0)));
  child.unref();
  return state;
}

function helperFailed(why: string, logPath: string): CliError {
  let tail = '';
  try {
    tail = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
  } catch {
    // no log to show
  }
  const shown = tail ? `\nlast lines of ${logPath}:\n${tail}` : '';
  return new CliError(`could not start the bia helper: ${why}.${shown}\nTry 'bia helper --log-level debug' in another terminal to see why.`, EXIT_HELPER_UNAVAILABLE);
}

/** Which helper bia run would use now, without starting one (bia status, bia doctor); `why`: why not a shared one. */
export async function locateHelper(target: HelperTarget): Promise<{ socketPath: string; shared: boolean; why?: string }> {
  if (target.named) return { socketPath: target.socketPath, shared: target.socketPath === target.systemSocket };
  const own = await hello(target.socketPath).then(
    () => true,
    () => false,
  );
  if (own) return { socketPath: target.socketPath, shared: false };
  const shared = await sharedHelper(target.systemSocket);
  if ('hello' in shared) return { socketPath: shared.socketPath, shared: true };
  return { socketPath: target.socketPath, shared: false, why: shared.why };
}
