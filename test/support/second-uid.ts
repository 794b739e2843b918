// Whether a test can act as a real second (and third) user: root switches
// to them with setpriv. Outside CI a developer who is not root gets the
// test skipped and this reason; CI's root pass must run them.
import { spawnSync } from 'node:child_process';
import { ciUserPass } from './skip.js';

/** The user whose bia is attacked, and the attacker. */
export const VICTIM = 65534;
export const ATTACKER = 4245;

function why(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to act as a second user (setpriv)';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'needs setpriv (util-linux)';
  return undefined;
}

export const secondUidMissing = why();
if (secondUidMissing && process.env.CI && !ciUserPass) throw new Error(`CI must run the tests with a second user, but: ${secondUidMissing}`);

/** ARGV as UID (its group too, no others). */
export function asUser(uid: number, argv: string[]): string[] {
  return ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...argv];
}
