// `bia --help`: every command with an example, in the order people need them.
export const HELP = `bia - run IPv4-only programs on IPv6-only networks (Bump-in-the-API)

bia translates a program's IPv4 socket calls to IPv6 at the socket API:
names that only have IPv6 addresses resolve to stand-in IPv4 addresses
(from a private pool, default 198.18.0.0/15), and connecting to one of those
opens a real IPv6 connection. Data flows through the kernel untouched.

Usage:
  bia run [OPTIONS] [--allow-root] [--] CMD [ARGS...]
                                         run CMD with bia (as root, starting
                                         a helper only with --allow-root)
  bia env [OPTIONS] [--allow-root] [--shell sh|csh|fish] [-q] [--off]
                                         print shell commands that turn bia
                                         on (off) for the current shell
  bia status [OPTIONS] [--json]          the helper, the network it sees, and
                                         the settings in force and their origin
  bia doctor [OPTIONS] [--json] [CMD...]
                                         what will work here; whether bia can
                                         reach each CMD, and what to do if not
  bia stop [--socket PATH]               stop your helper
  bia helper [OPTIONS] [--allow-root]    run the helper in the foreground
                                         (as root only with --allow-root; a
                                         root helper serves every uid, or
                                         only --allow-users/--allow-group)
  bia helper --system [--allow-users LIST] [--allow-group GROUP] [OPTIONS]
                                         a helper shared by the host's users,
                                         at the system socket; it serves its
                                         own uid and the users and groups
                                         listed (names or numbers)
  bia demo                               show bia at work in a sandbox
  bia install --user [--allow-root]      write systemd user units that start
                                         your helper when a program needs it
  bia uninstall [--user]                 stop your helper, remove the units,
                                         and say what is kept (run it before
                                         npm uninstall -g bia)
  bia install --system --allow-group GROUP|--allow-users LIST
              [--service-user NAME] [--unit-dir DIR] [OPTIONS]
                                         write systemd system units for a
                                         shared helper (root; a dynamic user
                                         unless --service-user)
  bia uninstall --system [--unit-dir DIR]  remove them
  bia --help | --version

Settings (every command takes these; each also has a variable and a key in
$XDG_CONFIG_HOME/bia/config.json; a flag beats the variable, which beats the
file, which beats the default; see docs/configuration.md):
  --network MODE          auto (default), dual, ipv6-only or ipv4-only: what
                          the network offers, when detection guesses wrong
                          ($BIA_NETWORK, "network")
  --pool CIDR             the IPv4 pool for IPv6-only peers, default
                          198.18.0.0/15 ($BIA_POOL, "pool")
  --nat64 PREFIX          the NAT64 prefix IPv4-only peers are reached through
                          on an IPv6-only network: auto (default, RFC 7050
                          discovery), off, or e.g. 64:ff9b::/96 ($BIA_NAT64,
                          "nat64")
  --log-level LEVEL       error, warn, info, debug or trace; programs default
                          to warn, the helper to info ($BIA_LOG, "logLevel")
  --socket PATH           the helper's socket, default
                          $XDG_RUNTIME_DIR/bia/helper.sock ($BIA_SOCKET,
                          "socket"); when set, bia uses that helper and looks
                          for no other
  --system-socket PATH    where a shared helper listens and bia looks for one,
                          default /run/bia/helper.sock ($BIA_SYSTEM_SOCKET,
                          "systemSocket")
  --timeout-ms MS         how long a program waits for the helper, default 800
                          ($BIA_TIMEOUT_MS, "timeoutMs")
  --resolve-timeout-ms MS how long a name lookup may take, default 8000
                          ($BIA_RESOLVE_TIMEOUT_MS, "resolveTimeoutMs")
  --synth FORMAT          how IPv6 programs see IPv4-only peers: mapped
                          (default, ::ffff:a.b.c.d), prefix, m46a or pool
                          ($BIA_SYNTH, "synth")
  --synth-prefix CIDR     the IPv6 prefix of prefix/m46a/pool, default
                          64:ff9b::/96, fd62:6961:46::/64, fd62:6961::/112
                          ($BIA_SYNTH_PREFIX, "synthPrefix")
  --plane-id N            the M46A plane ID, default 0 ($BIA_PLANE_ID, "planeId")
  --pool-scope SCOPE      who shares a mapping table: host (default), user or
                          process ($BIA_POOL_SCOPE, "poolScope")
  --quota-per-process N   live pool mappings one process may make, default
                          4096 ($BIA_QUOTA_PER_PROCESS, "quotaPerProcess")
  --quota-per-user N      the same per user, default 65536 ($BIA_QUOTA_PER_USER)
  --rate-per-process N    new pool mappings per second per process, default
                          100 ($BIA_RATE_PER_PROCESS, "ratePerProcess")
  --rate-per-user N       the same per user, default 1000 ($BIA_RATE_PER_USER)
  --ftp-ports PORTS       FTP control ports whose PORT/EPRT/227 lines are
                          rewritten, default 21, "" for none ($BIA_FTP_PORTS,
                          "ftpPorts")

Options of run only:
  --trace                 print each translated call on stderr, e.g.
                          bia[42]: connect 198.18.0.5:80 -> [2001:db8::6]:80
  --trace-file PATH       append those lines (and bia's warnings) to PATH
                          instead (BIA_LOG_FILE); CMD's stderr stays clean
  --supervise             run CMD under bia's seccomp supervisor, as bia run
                          does by itself for static and musl programs
                          (Linux >= 5.9; docs/supervisor.md)

Examples:
  bia run -- curl -4 http://v6only.example/    an IPv4-only client, any peer
  bia run --trace -- nc.traditional v6only.example 80
  bia run --trace-file /tmp/bia.trace -- ./legacy-daemon
  eval "$(bia env)"                            bia for every program started
  eval "$(bia env --off)"                      from this shell, and back
  bia env | source                             the same in fish (csh: eval
                                               \`bia env\`)
  bia status                                   is it running, with what
  bia status --json | jq .helper.pid
  bia doctor ./legacy-client                   can bia reach this program?
  bia stop                                     end the helper (bia run and
                                               bia env start it again)
  bia helper --log-level debug                 watch the helper work
  bia demo                                     no network or root needed
  bia install --user                           then: systemctl --user enable
                                               --now bia-helper.socket
  bia uninstall                                stops and removes what bia
                                               set up for you
  bia install --system --allow-group users     as root; then: systemctl enable
                                               --now bia-helper.socket

One helper serves all your programs. bia run and bia env use your own helper
if it runs, else a shared helper at the system socket that serves you (its
socket must be root's to vouch for), else start one of your own (it logs to
$XDG_STATE_HOME/bia/helper.log). BIA_SOCKET or --socket names the one helper
to use instead.

bia run runs CMD itself (exec) when a helper answers and nothing else needs
working out: only --socket, --log-level or --trace, no other BIA_* setting
(but the helper's own, which bia env exports), no config file. It then costs well under a millisecond; otherwise the Node
launcher runs it (200 ms more). --log-level debug says which, and why.

Exit status: bia run exits with CMD's status (128+N when CMD dies of signal
N; signals bia receives reach CMD). bia status exits 3 when no
helper runs; bia doctor exits 1 when something will not work. bia's own
failures exit 2 (usage), 69 (helper unavailable), 70 (internal), 75 (helper
did not stop in time), 78 (bad setting, or a helper setting the running
helper does not have: bia stop, then rerun), 126/127 (CMD not
executable/found).
`;
