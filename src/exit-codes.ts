// bia's own exit codes: 2 for a usage error as command-line tools
// conventionally have it, sysexits.h values for the rest, 126/127 as shells
// and env(1) use them. Below the CLI: the helper and the socket checks
// end bia with them too.
export const EXIT_USAGE = 2;
export const EXIT_HELPER_UNAVAILABLE = 69;
export const EXIT_INTERNAL = 70;
/** A temporary failure (EX_TEMPFAIL): the helper did not stop in time, or another helper uses the state directory. */
export const EXIT_HELPER_STUCK = 75;
/** A helper socket, or its directory, that someone else may control (EX_NOPERM): bia says nothing on it. */
export const EXIT_UNTRUSTED_SOCKET = 77;
/** The config file, a BIA_* variable or a config flag is invalid, or sets a helper setting the running helper does not have (EX_CONFIG). */
export const EXIT_CONFIG = 78;
export const EXIT_CANNOT_EXECUTE = 126;
export const EXIT_NOT_FOUND = 127;
/** bia status: no helper runs (as LSB and systemctl status say it). */
export const EXIT_NOT_RUNNING = 3;
/** bia doctor: something will not work. */
export const EXIT_PROBLEMS = 1;

/** An error whose message is for the user and which ends bia with CODE. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
