// Makes sure this user's helper answers on SOCKET, starting one if needed,
// the way ssh-agent-style tools do: detached, logging to a file, and waited
// for until it answers so the program never races a half-started helper.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { request } from '../client.js';
import { MsgType, Status, type HelloBody } from '../protocol.js';
import { CliError, EXIT_HELPER_UNAVAILABLE } from './exit-codes.js';
import { HELPER_KEYS, KEYS, type Config } from '../config/schema.js';
import { helperLogPath } from '../paths.js';
import { refuseRoot } from './root.js';

const START_TIMEOUT_MS = 5000;
const POLL_MS = 20;

export interface HelperTarget {
  socketPath: string;
  /** Where a helper started here writes its log. */
  logPath: string;
  /** Extra arguments for `bia helper` (e.g. --log-level). */
  helperArgs: string[];
}

/** The helper CONFIG asks for, logging where helpers started by bia log. */
export function helperTarget(config: Config): HelperTarget {
  const settings = HELPER_KEYS.flatMap((key) => [KEYS[key].flag, String(config[key])]);
  const helperArgs = [
    ...settings,
    ...(config.synthPrefix ? ['--synth-prefix', config.synthPrefix] : []),
    ...(config.logLevel ? ['--log-level', config.logLevel] : []),
  ];
  return { socketPath: config.socket, logPath: helperLogPath(), helperArgs };
}

export async function hello(socketPath: string, timeoutMs = 500): Promise<HelloBody> {
  const reply = await request(socketPath, { type: MsgType.Hello, id: 1 }, timeoutMs);
  if (reply.status !== Status.Ok || !('hello' in reply)) throw new Error(`the helper answered HELLO with status ${reply.status}`);
  return reply.hello;
}

export async function ensureHelper(target: HelperTarget): Promise<HelloBody> {
  try {
    return await hello(target.socketPath);
  } catch {
    // Nobody answers: start one below.
  }
  refuseRoot(false); // say so here rather than as a helper that exited
  const { logPath } = target;
  const exited = startHelper(target);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const code = exited.code;
    if (code !== undefined && code !== 0) throw helperFailed(`the helper exited with status ${code}`, logPath);
    try {
      return await hello(target.socketPath, 200);
    } catch {
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
  const child = spawn(process.execPath, [process.argv[1], 'helper', '--socket', target.socketPath, ...target.helperArgs], {
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
