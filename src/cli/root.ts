// The helper does not run as root unless asked to: it is a network-facing
// (DNS) Node.js daemon that every program of its user trusts, so as root a
// flaw in it would be a flaw in a root process, and root's programs would
// share one helper with nothing to tell them apart. Containers and sandboxes
// whose only user is root opt in explicitly.
import { CliError, EXIT_CONFIG } from '../exit-codes.js';

export const ROOT_OPT_IN = 'BIA_ALLOW_ROOT';

/** Throws the refusal, with the fix, when running as root without the opt-in. */
export function refuseRoot(allowRootFlag: boolean, env: NodeJS.ProcessEnv = process.env, uid = process.geteuid?.() ?? -1): void {
  if (uid !== 0 || allowRootFlag) return;
  const value = env[ROOT_OPT_IN];
  if (value === '1') return;
  const bad = value === undefined || value === '' ? '' : ` (${ROOT_OPT_IN}=${JSON.stringify(value)} is not 1)`;
  throw new CliError(
    `the bia helper refuses to run as root${bad}: run bia as an ordinary user, or, where root is the only user ` +
      `(a container, a sandbox), opt in with --allow-root (bia run --allow-root, bia env --allow-root, bia helper --allow-root) or ${ROOT_OPT_IN}=1`,
    EXIT_CONFIG,
  );
}
