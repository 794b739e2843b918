// Fault injection with real file systems: runs a bash body in a private
// mount namespace (a user namespace too when not root, so that an ordinary
// user may mount a tmpfs of a few KiB), in a scratch directory, with
// functions to start a real `bia helper` process, kill it with SIGKILL and
// ask it for mappings. The namespace, its mounts and the scratch directory
// go when the body ends; any helper still running is killed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/package-root.js';

const root = process.geteuid?.() === 0;
const UNSHARE = root ? ['--mount'] : ['--user', '--map-root-user', '--mount'];

/** Why a private mount namespace cannot be made here, or undefined. */
export const mountNsMissing = ((): string | undefined => {
  const probe = spawnSync('unshare', [...UNSHARE, 'true']);
  return probe.status === 0 ? undefined : `cannot make a mount namespace: ${probe.stderr?.toString().trim() || probe.error?.message} (unprivileged user namespaces may be disabled)`;
})();
if (mountNsMissing && process.env.CI) throw new Error(`CI must run the fault-injection tests, but: ${mountNsMissing}`);

// In the body: $D is the scratch directory, $STATE the helper's state
// directory and $RUN its socket's, $LOG its log (set it before helper_start
// to move it); helper_start, helper_kill, ask (below).
const PRELUDE = String.raw`
set -u
STATE="$D/state/bia"; RUN="$D/run"; SOCK="$RUN/helper.sock"; LOG="$D/helper.log"
mkdir -p "$STATE" "$RUN"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$D/resolv.conf"
cat >"$D/ask.mjs" <<JS
import { request } from '$BIA_ROOT/dist/client.js';
import { MsgType, Status } from '$BIA_ROOT/dist/wire/messages.js';
const [what, label, from, to] = process.argv.slice(2);
const socket = process.env.SOCK;
if (what === 'hello') {
  for (let i = 0; ; i++) {
    try { await request(socket, { type: MsgType.Hello, id: 1 }, 500); break; }
    catch (err) { if (i > 200) throw err; await new Promise((r) => setTimeout(r, 50)); }
  }
} else {
  // MAP6 of peers 2001:db8:99::FROM..TO, 32 at a time (so that some share
  // a journal write), printed as "peer LABEL N ANSWER".
  const ask = (n) => request(socket, { type: MsgType.Map6, id: n, v6: '2001:db8:99::' + n }, 5000).then(
    (r) => 'peer ' + label + ' ' + n + ' ' + (r.entry ? r.entry.v4 : Status[r.status]), (err) => 'peer ' + label + ' ' + n + ' ' + err.message);
  for (let n = Number(from); n <= Number(to); n += 32) {
    const batch = [];
    for (let k = n; k <= Math.min(n + 31, Number(to)); k++) batch.push(ask(k));
    console.log((await Promise.all(batch)).join('\n'));
  }
}
JS
export SOCK
helper_start() {
  BIA_INSIDE_HELPER=1 BIA_ALLOW_ROOT=1 BIA_RESOLV_CONF="$D/resolv.conf" XDG_STATE_HOME="$D/state" \
    node "$BIA_ROOT/dist/cli/main.js" helper --socket "$SOCK" --network ipv6-only --log-level info >>"$LOG" 2>&1 &
  HELPER=$!
  if node "$D/ask.mjs" hello 2>/dev/null; then echo "RESULT start 0"; else echo "RESULT start 1"; fi
}
helper_kill() { kill -9 "$HELPER" 2>/dev/null; wait "$HELPER" 2>/dev/null; true; }
ask() { node "$D/ask.mjs" map "$@"; }
trap 'helper_kill; echo "--- helper log"; cat "$LOG"' EXIT
`;

export interface FaultRun {
  code: number;
  stdout: string;
  /** The answers of `ask LABEL ...`: peer number to IPv4 address or refusal, in order. */
  answers(label: string): Map<number, string>;
  /** How many lines of the helpers' log match `re`. */
  logged(re: RegExp): number;
}

export async function inMountNs(body: string, timeoutMs = 90_000): Promise<FaultRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-faults-'));
  try {
    const { code, stdout } = await run(['unshare', ...UNSHARE, 'bash', '-c', `${PRELUDE}\n${body}`], { ...process.env, D: dir, BIA_ROOT: packageRoot }, timeoutMs);
    const log = stdout.slice(stdout.indexOf('--- helper log'));
    return {
      code,
      stdout,
      answers: (label) => new Map([...stdout.matchAll(new RegExp(`^peer ${label} (\\d+) (.*)$`, 'gm'))].map((m) => [Number(m[1]), m[2]])),
      logged: (re) => log.split('\n').filter((l) => re.test(l)).length,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function run(argv: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 137, stdout });
    });
  });
}

/**
 * Every pool address answered before (`acked`: peer to address) that an
 * answer after a restart (`after`) gives to another peer: what must never
 * happen. An acknowledged peer asked again must get its own address or a
 * refusal.
 */
export function doubleHandOuts(acked: Map<number, string>, after: Map<number, string>): string[] {
  const owner = new Map<string, number>();
  for (const [peer, v4] of acked) if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) owner.set(v4, peer);
  const wrong: string[] = [];
  for (const [peer, v4] of after) {
    const was = owner.get(v4);
    if (was !== undefined && was !== peer) wrong.push(`${v4}: peer ${was} before, peer ${peer} after`);
    const own = acked.get(peer);
    if (own !== undefined && owner.has(own) && /^\d/.test(v4) && v4 !== own) wrong.push(`peer ${peer}: ${own} before, ${v4} after`);
  }
  return wrong;
}
