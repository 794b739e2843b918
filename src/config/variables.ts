// The BIA_* variables that are not config keys (schema.ts names those) and
// that the C side reads or writes too. scripts/gen-contract.mjs copies both
// into preload/include/bia_contract.h, so a name is spelled once.
export const VARIABLES = {
  /** Where the preload writes its log lines instead of stderr (`bia run --trace-file`). */
  logFile: 'BIA_LOG_FILE',
  /** "1" in the helper's environment: the preload stays inert there (it would ask itself). */
  insideHelper: 'BIA_INSIDE_HELPER',
  /** The Node launcher's pid, set for its child (preload/core/exec/launcher.c). */
  launcherPid: 'BIA_LAUNCHER_PID',
  /** A developer's other preload build, e.g. with ASan (scripts/test-sanitized.sh). */
  preloadLibrary: 'BIA_PRELOAD_LIBRARY',
} as const;
