// Values printed for `eval "$(bia env)"` must survive any shell: single
// quotes keep everything literal except a single quote itself.

/** VALUE as one POSIX shell word. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
