// `bia demo`: the whole story in a sandbox, no outside network, no root
// needed where the kernel allows user namespaces. An IPv4-only program
// (nc.traditional, then python3 with AF_INET sockets) tries to reach an
// IPv6-only peer by name, first without bia and then through `bia run`.
import { labUnavailable, runInLabAttached } from '../lab/lab.js';
import { CliError, EXIT_HELPER_UNAVAILABLE, EXIT_USAGE } from '../exit-codes.js';

// Bold headings only on a terminal, and never with NO_COLOR (no-color.org).
const DEMO = String.raw`
if [ -t 1 ] && [ -z "$(printenv NO_COLOR)" ]; then bold='\033[1m' plain='\033[0m'; else bold='' plain=''; fi
say() { printf "\n$bold%s$plain\n" "$*"; }
show() { printf '$ %s\n' "$1"; eval "$1"; }
peer_serve_tcp 8080
say "A sandbox with an IPv6-only network: this host has $LAB_HOST6 and no IPv4 route."
say "The peer v6only.test has only an AAAA record ($LAB_PEER6) and serves TCP port 8080."
say "1. The IPv4-only program alone:"
PY_PLAIN='python3 -c "import socket; print(socket.gethostbyname(\"v6only.test\"))"'
PY_BIA='python3 -c "import socket; a = socket.gethostbyname(\"v6only.test\"); s = socket.create_connection((a, 8080)); print(a, \"->\", s.recv(200).decode().strip())"'
show 'nc.traditional -w 2 v6only.test 8080'; plain_nc=$?
show "$PY_PLAIN 2>&1 | tail -1; (exit \${PIPESTATUS[0]})"; plain_py=$?
say "2. The same programs through bia:"
show 'bia run -- nc.traditional -w 2 v6only.test 8080'; bia_nc=$?
show "bia run -- $PY_BIA"; bia_py=$?
say "3. A dual-stack name whose IPv4 address is unreachable here (dual.test, A 192.0.2.10):"
show 'nc.traditional -w 2 dual.test 8080'; plain_dual=$?
show 'bia run -- nc.traditional -w 2 dual.test 8080'; bia_dual=$?
if [ $plain_nc -ne 0 ] && [ $plain_py -ne 0 ] && [ $plain_dual -ne 0 ] && [ $bia_nc -eq 0 ] && [ $bia_py -eq 0 ] && [ $bia_dual -eq 0 ]; then
  say "Without bia the IPv4-only programs failed; with bia they reached the IPv6-only peer."
  exit 0
fi
say "The demo did not go as expected (exit codes: plain $plain_nc/$plain_py/$plain_dual, bia $bia_nc/$bia_py/$bia_dual)."
exit 1
`;

export function demo(argv: string[]): number {
  if (argv.length) throw new CliError(`demo takes no arguments (got ${argv[0]})`, EXIT_USAGE);
  const why = labUnavailable();
  if (why) throw new CliError(`cannot build the demo sandbox: ${why}`, EXIT_HELPER_UNAVAILABLE);
  return runInLabAttached(DEMO);
}
