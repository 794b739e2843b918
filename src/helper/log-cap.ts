// helper.log, the stderr of a helper bia run or bia env started
// (ensure-helper.ts), would grow without bound: past LOG_CAP_BYTES it
// becomes helper.log.1 (replacing the one before) and starts again empty,
// so the two never hold more than twice the cap. Copy-then-truncate
// rather than rename-and-reopen: the file is the helper's fd 2, which Node
// cannot reopen in place, and truncating the file an O_APPEND descriptor
// writes to makes the next line land at its start. The size is checked
// every few seconds rather than at every line, so a burst may run over
// the cap by what a few seconds write. A helper whose stderr is anything
// else (systemd's journal, a terminal, a user's own file) is left alone.
import { copyFileSync, fstatSync, ftruncateSync, statSync } from 'node:fs';

export const LOG_CAP_BYTES = 4 * 1024 * 1024;
export const LOG_CHECK_MS = 5000;

/** Moves what FD (writing to PATH) holds to PATH.1 when it is larger than CAP; true if it did. */
export function rotateIfOver(fd: number, path: string, cap = LOG_CAP_BYTES): boolean {
  if (fstatSync(fd).size <= cap) return false;
  copyFileSync(path, `${path}.1`);
  ftruncateSync(fd, 0);
  return true;
}

/** Whether FD is the file at PATH. */
function isFile(fd: number, path: string): boolean {
  try {
    const [a, b] = [fstatSync(fd), statSync(path)];
    return a.isFile() && a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}

/** Caps stderr when it is the log file at PATH, now and every LOG_CHECK_MS; the returned function stops. */
export function capStderrLog(path: string, cap = LOG_CAP_BYTES): () => void {
  if (!isFile(2, path)) return () => {};
  const check = (): void => {
    try {
      rotateIfOver(2, path, cap);
    } catch (err) {
      // A full disk or a removed file: logging goes on as it is.
      process.stderr.write(`bia-helper: cannot rotate ${path}: ${(err as Error).message}\n`);
    }
  };
  check();
  const timer = setInterval(check, LOG_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
