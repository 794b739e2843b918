// A tiny leveled logger writing one line per message to stderr. The helper
// runs detached with stderr redirected to its log file, so lines carry a
// timestamp and the pid.
import fs from 'node:fs';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Logger = Record<LogLevel, (message: string) => void>;

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** The level given, else $BIA_LOG if it names a level, else `fallback`. */
export function resolveLogLevel(level: LogLevel | undefined, fallback: LogLevel, env = process.env): LogLevel {
  if (level) return level;
  return isLogLevel(env.BIA_LOG) ? env.BIA_LOG : fallback;
}

// What a level that is off does; `logs` tells it apart, so that callers can
// skip building a message nobody will read.
const silent = (): void => {};

/** Whether `log` writes messages of `level` (a logger not made here always does). */
export function logs(log: Logger, level: LogLevel): boolean {
  return log[level] !== silent;
}

// Lines heldStderr has not written yet.
let held = '';
let flushedAtExit = false;

/** Writes the lines heldStderr holds. */
export function flushStderr(): void {
  if (held === '') return;
  const text = held;
  held = '';
  writeStderr(text);
}

// Whether stderr is a file (the helper's log), found at the first write.
let stderrIsFile: boolean | undefined;

// The helper's log file is in the state directory: a full disk must cost
// log lines, not the helper (a failed write through process.stderr is an
// 'error' that ends the process, and would end every restart alike). So a
// file is written directly, and what does not fit is dropped; once there is
// room again, lines are written again.
function writeStderr(text: string): void {
  stderrIsFile ??= isFile(2);
  if (!stderrIsFile) return void process.stderr.write(text);
  try {
    fs.writeSync(2, text);
  } catch {
    // Dropped: nowhere to say so.
  }
}

function isFile(fd: number): boolean {
  try {
    return fs.fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/**
 * A writer for createLogger that holds the lines of one turn of the event
 * loop and writes them in one go at its end (or at exit, or when
 * flushStderr is called sooner). The helper logs a line per new pool
 * mapping, and stderr to its log file is written synchronously: at tens of
 * thousands of mappings a second a write(2) per line was a good part of
 * its CPU per request.
 */
export function heldStderr(line: string): void {
  if (held === '') setImmediate(flushStderr);
  if (!flushedAtExit) process.once('exit', flushStderr);
  flushedAtExit = true;
  held += line;
}

let stampedAt = NaN;
let stamp = '';

// The time of a line, to the millisecond. Formatting it (1.4 us) cost more
// than the rest of the line, and at the helper's rates most lines share
// their millisecond with the line before.
function timestamp(): string {
  const now = Date.now();
  if (now !== stampedAt) {
    stampedAt = now;
    stamp = new Date(now).toISOString();
  }
  return stamp;
}

export function createLogger(level: LogLevel, tag = 'bia', write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const limit = LOG_LEVELS.indexOf(level);
  const logger = {} as Logger;
  for (const [rank, name] of LOG_LEVELS.entries()) {
    logger[name] = rank > limit ? silent : (message) => write(`${timestamp()} ${tag}[${process.pid}] ${name}: ${message}\n`);
  }
  return logger;
}
