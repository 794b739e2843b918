// A helper outlives the package it runs from when the package is removed
// (npm runs no uninstall script) or replaced (an upgrade): Node has read
// the files it started with, but the modules a helper loads later would be
// gone, and nothing would ever stop it. So it looks for its own entry
// point every few seconds and, when the file has been missing twice in a
// row (an upgrade replaces the directory within a moment), exits the way
// SIGTERM ends it. A helper whose files were replaced keeps running;
// bia status and bia doctor say it is older than the installed bia.
import { existsSync } from 'node:fs';

export const INSTALL_CHECK_MS = 2000;

/** Calls GONE once FILE has been missing on two checks in a row; the returned function stops watching. */
export function watchInstall(file: string, gone: (why: string) => void, everyMs = INSTALL_CHECK_MS): () => void {
  let missed = 0;
  const timer = setInterval(() => {
    missed = existsSync(file) ? 0 : missed + 1;
    if (missed < 2) return;
    clearInterval(timer);
    gone(`${file} is gone (bia was uninstalled or moved)`);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
