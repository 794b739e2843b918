// The native `bia` launcher (launcher/) against the Node one
// (dist/cli/main.js), for the same invocations in the same environment:
// where it takes its fast path (it execs the program itself, so the
// program's pid is the launcher's), the program must get exactly the
// environment the Node launcher gives it; everything else (other options,
// BIA_* settings, a config file, invalid values, no helper) must end the
// way the Node launcher ends it, because it is the Node launcher that
// runs. Then, in the lab, real programs through the fast path, a helper
// that is down, and exit statuses and signals.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, KEY_NAMES } from '../../src/config/schema.js';
import { readElf } from '../../src/elf.js';
import { resolveProgram } from '../../src/secure-exec.js';
import { CLI_MAIN, nativeLauncher, preloadLibrary } from '../../src/preload-path.js';
import { startHelperProcess, type HelperProcess } from '../support/helper-process.js';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen, toolMissing } from '../support/skip.js';

const launcher = nativeLauncher();
const noLauncher = 'the native launcher is not built (npm install builds it)';
const busyboxMissing = toolMissing(staticBusybox(), 'busybox is not installed statically linked (apt-get install busybox-static)');
const library = preloadLibrary()!;
const PROBE = 'import json, os; print(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "env": dict(os.environ)}))';

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** The launcher ran the program itself (exec): the fast path. */
  fast: boolean;
  env?: Record<string, string>;
}

function staticBusybox(): boolean {
  const file = resolveProgram('busybox');
  return file !== undefined && readElf(file)?.interpreter === undefined;
}

let work = '';
let helper: HelperProcess;

function launch(which: 'c' | 'node', args: string[], env: NodeJS.ProcessEnv, command = ['python3', '-c', PROBE]): Outcome {
  const [file, argv] = which === 'c' ? [launcher!, ['run', ...args, '--', ...command]] : [process.execPath, [CLI_MAIN, 'run', ...args, '--', ...command]];
  const r = spawnSync(file, argv, { env, encoding: 'utf8', timeout: 30_000 });
  let probe: { pid: number; ppid: number; env: Record<string, string> } | undefined;
  try {
    probe = JSON.parse(r.stdout);
  } catch {
    // not the probe's output: the launcher failed, or another command ran
  }
  return { status: r.status, signal: r.signal, stderr: r.stderr, fast: probe?.pid === r.pid, env: probe?.env };
}

/** A controlled environment: no BIA_* from the test runner, a HOME and config directory of its own. */
function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: join(work, 'home'), XDG_CONFIG_HOME: join(work, 'config'), XDG_RUNTIME_DIR: join(work, 'run'), BIA_SOCKET: helper.socketPath, ...extra };
}

/**
 * The distinct log lines, without the launcher's own (the Node launcher
 * writes none) and with pids made equal. Distinct: with the library
 * already in LD_PRELOAD, every process it loads into (node itself, too)
 * warns, so how many times a warning appears depends on the path taken.
 */
function sameLines(stderr: string): string[] {
  const lines = stderr.replace(/^bia\[\d+\]: launcher: .*\n/gm, '').replace(/^bia\[\d+\]/gm, 'bia[N]').split('\n');
  return [...new Set(lines)].filter(Boolean).sort();
}

/** Both launchers, same invocation: the C one takes its fast path and the program sees the same environment. */
function expectSameEnvFast(args: string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const c = launch('c', args, env);
  const node = launch('node', args, env);
  expect(sameLines(c.stderr), `C launcher's stderr for ${args.join(' ')}`).toEqual(sameLines(node.stderr));
  expect(c.fast, `the fast path for run ${args.join(' ')}: ${c.stderr}`).toBe(true);
  expect(node.fast).toBe(false);
  expect(c.env, `environment for run ${args.join(' ')}`).toEqual(node.env);
  return c.env!;
}

/** The C launcher hands over: the outcome is the Node launcher's. */
function expectHandedOver(args: string[], env: NodeJS.ProcessEnv, command?: string[]): Outcome {
  const c = launch('c', args, env, command);
  const node = launch('node', args, env, command);
  expect(c.fast, `run ${args.join(' ')} must not take the fast path`).toBe(false);
  expect({ status: c.status, signal: c.signal, stderr: c.stderr, env: c.env }).toEqual({ status: node.status, signal: node.signal, stderr: node.stderr, env: node.env });
  return c;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bia-fastlauncher-'));
  for (const d of ['home', 'config', 'run']) mkdirSync(join(work, d), { mode: 0o700 });
  helper = await startHelperProcess();
}, 60_000);

afterAll(async () => {
  await helper?.stop();
  // A test hands the Node launcher a run with no helper at the default
  // socket under work/run: without root, it starts one there (as root it
  // refuses), which would outlive the run.
  spawnSync(process.execPath, [CLI_MAIN, 'stop', '--socket', join(work, 'run', 'bia', 'helper.sock')], { stdio: 'ignore', timeout: 10_000 });
  rmSync(work, { recursive: true, force: true });
});

describe('the native launcher gives the program what the Node launcher gives it', skipWhen(!launcher && noLauncher), () => {
  it('with no options, a socket from the flag or the variable, and log levels with --trace', () => {
    const env = expectSameEnvFast([], baseEnv());
    expect(env.LD_PRELOAD).toBe(library);
    expect(env.BIA_POOL).toBe('198.18.0.0/15');
    expect(env.BIA_SYNTH_PREFIX).toBe('::ffff:0:0/96');
    expect(env.BIA_LAUNCHER_PID).toBeUndefined();
    const noSocket = baseEnv({ BIA_SOCKET: undefined });
    expectSameEnvFast(['--socket', helper.socketPath], noSocket);
    expectSameEnvFast([`--socket=${helper.socketPath}`, '--socket', helper.socketPath], noSocket);
    expectSameEnvFast(['--socket='], baseEnv());
    expect(expectSameEnvFast(['--log-level', 'debug'], baseEnv()).BIA_LOG).toBe('debug');
    expect(expectSameEnvFast(['--trace'], baseEnv()).BIA_LOG).toBe('info');
    expect(expectSameEnvFast(['--trace'], baseEnv({ BIA_LOG: 'error' })).BIA_LOG).toBe('info');
    expect(expectSameEnvFast(['--log-level=trace', '--trace'], baseEnv()).BIA_LOG).toBe('trace');
    expect(expectSameEnvFast(['--log-level', 'warn'], baseEnv({ BIA_LOG: 'trace' })).BIA_LOG).toBe('warn');
  });

  // The helper's socket directory itself is moved there and back (a socket
  // keeps listening when its path moves): a symbolic link would be refused,
  // as anyone may have made it.
  function withSocketDirAt(dir: string, check: () => void): void {
    renameSync(dirname(helper.socketPath), dir);
    try {
      check();
    } finally {
      renameSync(dir, dirname(helper.socketPath));
    }
  }

  it('with the default socket under XDG_RUNTIME_DIR or TMPDIR', () => {
    const runtime = join(work, 'xdg');
    mkdirSync(runtime);
    withSocketDirAt(join(runtime, 'bia'), () => {
      expect(expectSameEnvFast([], baseEnv({ BIA_SOCKET: undefined, XDG_RUNTIME_DIR: runtime })).BIA_SOCKET).toBe(join(runtime, 'bia', 'helper.sock'));
    });
    const tmp = join(work, 'tmp');
    mkdirSync(tmp);
    withSocketDirAt(join(tmp, `bia-${process.getuid!()}`), () => {
      expectSameEnvFast([], baseEnv({ BIA_SOCKET: undefined, XDG_RUNTIME_DIR: undefined, TMPDIR: `${tmp}/` }));
      expectSameEnvFast([], baseEnv({ BIA_SOCKET: undefined, XDG_RUNTIME_DIR: 'relative', TMPDIR: undefined, TMP: tmp }));
    });
  });

  it('keeps other LD_PRELOAD entries after the library, drops a stale launcher mark, keeps empty settings', () => {
    const libm = readFileSync('/proc/self/maps', 'utf8').match(/\s(\/\S+\/libm\.so\.6)$/m)![1];
    const env = expectSameEnvFast([], baseEnv({ LD_PRELOAD: `:${libm}:${library}  ${libm}:`, BIA_LAUNCHER_PID: '1', BIA_NETWORK: '', BIA_LOG: '', BIA_TRANSLATED: 'zz' }));
    // Only the library's own entries are made unique, as withLibrary() does.
    expect(env.LD_PRELOAD).toBe(`${library} ${libm} ${libm}`);
    expect(env.BIA_NETWORK).toBe('');
    expect(env.BIA_LOG).toBe('');
  });

  it("with other helpers' pools and synthesis prefixes", async () => {
    for (const args of [
      ['--synth', 'm46a', '--plane-id', '7', '--pool', '10.64.0.0/10'],
      ['--synth', 'prefix', '--synth-prefix', '2001:0:0:1::/96'],
      ['--synth', 'pool', '--synth-prefix', 'fd00:0:0:1:0:0:1:0/112'],
    ]) {
      const other = await startHelperProcess([], args);
      try {
        const env = expectSameEnvFast([], baseEnv({ BIA_SOCKET: other.socketPath }));
        expect(env.BIA_SYNTH).toBe(args[1]);
      } finally {
        await other.stop();
      }
    }
  }, 60_000);

  it('hands every setting it does not read, and every invalid value, to the Node launcher', () => {
    // Each key of the config schema, set to a value no key accepts: the
    // Node launcher refuses it with its own message, so the C one must have
    // handed over rather than run the program.
    const refused = (name: string, spec: { expected: string }, args: string[], extra: NodeJS.ProcessEnv): void => {
      const c = launch('c', args, baseEnv(extra));
      expect({ status: c.status, stderr: c.stderr }, name).toEqual({ status: 78, stderr: `bia: ${name}=x: expected ${spec.expected}\n` });
    };
    for (const key of KEY_NAMES) refused(KEYS[key].env, KEYS[key], [], { [KEYS[key].env]: 'x' });
    for (const key of KEY_NAMES) refused(KEYS[key].flag, KEYS[key], [KEYS[key].flag, 'x'], {});
    for (const args of [['--bogus'], ['--trace=1'], ['--socket'], ['-h'], ['--help']]) expectHandedOver(args, baseEnv(), []);
    // Valid settings the fast path does not read: the program runs, from the Node launcher.
    expect(expectHandedOver([], baseEnv({ BIA_NETWORK: 'ipv6-only' })).env!.BIA_NETWORK).toBe('ipv6-only');
    expect(expectHandedOver(['--timeout-ms', '900'], baseEnv()).env!.BIA_TIMEOUT_MS).toBe('900');
    expect(expectHandedOver(['--trace-file', join(work, 'trace')], baseEnv()).env!.BIA_LOG_FILE).toBe(join(work, 'trace'));
    expectHandedOver([], baseEnv({ BIA_PRELOAD_LIBRARY: library }));
    expectHandedOver([], baseEnv({ BIA_SOCKET: 'relative.sock' }));
    expectHandedOver([], baseEnv({ BIA_LOG: 'loud' }));
    expectHandedOver([], baseEnv({ BIA_SOCKET: undefined, XDG_RUNTIME_DIR: `${join(work, 'run')}/../run` }));
  }, 240_000);

  it('hands --supervise to the Node launcher, which runs the program under the supervisor with the same environment', () => {
    const c = expectHandedOver(['--supervise'], baseEnv());
    expect(c.env!.LD_PRELOAD).toBe(library);
    expect(c.env!.BIA_SOCKET).toBe(helper.socketPath);
  });

  it('hands a statically linked program (busybox-static) to the Node launcher, which runs it under the supervisor', skipWhen(busyboxMissing), () => {
    // busybox execs the probe: its environment is the one bia gave busybox.
    const c = expectHandedOver([], baseEnv(), ['busybox', 'sh', '-c', `exec python3 -c '${PROBE}'`]);
    expect(c.env!.BIA_SOCKET).toBe(helper.socketPath);
    expect(c.env!.BIA_POOL).toBe('198.18.0.0/15');
  });

  it('hands over when a config file is there, however it reads', () => {
    mkdirSync(join(work, 'config', 'bia'));
    try {
      writeFileSync(join(work, 'config', 'bia', 'config.json'), JSON.stringify({ socket: helper.socketPath }));
      expectHandedOver([], baseEnv({ BIA_SOCKET: undefined }));
      writeFileSync(join(work, 'config', 'bia', 'config.json'), '{"network": ');
      expect(expectHandedOver([], baseEnv()).status).toBe(78);
    } finally {
      rmSync(join(work, 'config', 'bia'), { recursive: true });
    }
    // The file under HOME when XDG_CONFIG_HOME is not an absolute path.
    mkdirSync(join(work, 'home', '.config', 'bia'), { recursive: true });
    writeFileSync(join(work, 'home', '.config', 'bia', 'config.json'), '{}');
    expectHandedOver([], baseEnv({ XDG_CONFIG_HOME: 'relative' }));
    rmSync(join(work, 'home', '.config'), { recursive: true });
  });

  it('hands over when the socket answers garbage or nothing, after at most 500 ms', async () => {
    // A stand-in for a broken helper: accepts, then answers with a frame
    // no decoder takes, or not at all.
    const server = join(work, 'broken.sock');
    const fake = spawn('python3', ['-c', `
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
held = []
while True:
    c, _ = s.accept(); held.append(c)
    c.recv(64)
    if sys.argv[2] == 'garbage': c.sendall(b'\\0\\0\\0\\x08\\x09\\x01\\0\\0\\0\\0\\0\\1')
`, server, 'garbage'], { stdio: 'ignore' });
    const silent = join(work, 'silent.sock');
    const quiet = spawn('python3', ['-c', `
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
held = []
while True:
    c, _ = s.accept(); held.append(c)
`, silent], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !(existsSync(server) && existsSync(silent)); i++) await new Promise((r) => setTimeout(r, 50));
      const garbage = launch('c', ['--log-level', 'debug', '--socket', server], baseEnv({ BIA_SOCKET: undefined }));
      expect(garbage.fast).toBe(false);
      expect(garbage.stderr).toMatch(/^bia\[\d+\]: launcher: the Node launcher takes over \(it starts a helper\): the helper's reply is malformed: .+$/m);
      const started = Date.now();
      const none = launch('c', ['--log-level', 'debug', '--socket', silent], baseEnv({ BIA_SOCKET: undefined }));
      expect(none.fast).toBe(false);
      expect(none.stderr).toMatch(/^bia\[\d+\]: launcher: the Node launcher takes over \(it starts a helper\): no answer to HELLO in time$/m);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    } finally {
      fake.kill();
      quiet.kill();
    }
  }, 60_000);

  it('hands a program it cannot execute to the Node launcher, which says why with its exit code', () => {
    expect(expectHandedOver([], baseEnv(), ['/no/such/program']).status).toBe(127);
    expect(expectHandedOver([], baseEnv(), [join(work, 'home')]).status).toBe(126);
  });
});

// How each shell applies `bia env`'s output, and ends by running the probe
// through the launcher in the shell's own process (exec), so that the
// probe's pid is the shell's when the launcher took its fast path.
const SHELLS: Record<string, (env: string, run: string) => string[]> = {
  sh: (env, run) => ['sh', '-c', `eval "$(${env})" && echo "$BIA_POOL" >&2 && exec ${run}`],
  csh: (env, run) => ['csh', '-fc', `eval \`${env}\` && exec ${run}`],
  fish: (env, run) => ['fish', '--no-config', '-c', `${env} | source; and exec ${run}`],
};

describe('bia env keeps the fast launcher', skipWhen(!launcher && noLauncher), () => {
  for (const [shell, command] of Object.entries(SHELLS)) {
    const missing = toolMissing(spawnSync(shell, ['-c', 'exit 0']).error === undefined, `${shell} is not installed`);
    it(`${shell}: after its bia env is applied, bia run execs the program itself`, skipWhen(missing), () => {
      // A path no shell may mangle, kept after the library; SHELL picks the syntax.
      const odd = `${join(work, "it's $HOME !x")}.so`;
      const env = baseEnv({ SHELL: `/bin/${shell}`, LD_PRELOAD: odd });
      const probe = `${launcher} run --log-level debug -- python3 -c '${PROBE}'`;
      const [file, ...args] = command(`${process.execPath} ${CLI_MAIN} env`, probe);
      const r = spawnSync(file, args, { env, encoding: 'utf8', timeout: 30_000 });
      const out = JSON.parse(r.stdout) as { pid: number; env: Record<string, string> };
      expect(out.pid, `${shell}: ${r.stderr}`).toBe(r.pid);
      expect(r.stderr).toMatch(/^bia\[\d+\]: launcher: helper on \S+ listens/m);
      expect(out.env.LD_PRELOAD).toBe(`${library} ${odd}`);
      expect(out.env.BIA_POOL).toBe('198.18.0.0/15');
    });
  }

  it('a pool that is not the helper\'s goes to the Node launcher, and --log-level debug says why', () => {
    const c = launch('c', ['--log-level', 'debug'], baseEnv({ BIA_POOL: '10.0.0.0/8' }));
    expect(c.fast).toBe(false);
    expect(c.stderr).toMatch(/^bia\[\d+\]: launcher: the Node launcher takes over: BIA_POOL=10\.0\.0\.0\/8 is set, not the helper's 198\.18\.0\.0\/15$/m);
    expect(launch('c', ['--log-level', 'debug'], baseEnv({ BIA_NETWORK: 'dual' })).stderr).toMatch(/^bia\[\d+\]: launcher: the Node launcher takes over: BIA_NETWORK is set$/m);
    expect(launch('c', ['--timeout-ms', '900'], baseEnv({ BIA_LOG: 'debug' })).stderr).toMatch(/^bia\[\d+\]: launcher: the Node launcher takes over: an option/m);
  });
});

describe('bia run through the native launcher, in the lab', skipWhen(labMissing, !launcher && noLauncher), () => {
  it('runs real programs directly when the helper answers, and through the Node launcher (which starts the helper) when not', async () => {
    const r = await lab(String.raw`peer_serve_tcp 8080
parent() { ps -o comm= -p "$PPID"; }
echo "down: $(bia run -- sh -c "$(declare -f parent); parent")"
echo "helpers $(pgrep -fc '[m]ain.js helper')"
echo "up: $(bia run -- sh -c "$(declare -f parent); parent")"
bia run --log-level debug -- nc.traditional -w 2 v6only.test 8080 </dev/null 2>"$LAB_DIR/nc.err"
echo "RESULT nc $?"
cat "$LAB_DIR/nc.err" >&2
bia run -- curl -4 -sS --max-time 5 http://v6only.test:8080/ >/dev/null; echo "RESULT curl $?"
bia stop >/dev/null 2>&1
bia run -- nc.traditional -w 2 v6only.test 8080 </dev/null; echo "RESULT restarted $?"`);
    expect(r.stdout, r.stderr).toContain('down: node');
    expect(r.stdout).toContain('helpers 1');
    expect(r.stdout).toContain('up: bash');
    expect(r.rc('nc')).toBe(0);
    expect(r.stdout).toContain('hello from the IPv6-only peer');
    expect(r.stderr).toMatch(/^bia\[\d+\]: launcher: helper on \S+ listens \(settings from its published table\); running nc\.traditional directly$/m);
    expect(r.stderr).toMatch(/^bia\[\d+\]: connect 198\.18\.\d+\.\d+:8080 -> \[2001:db8:1::2\]:8080/m);
    expect(r.rc('restarted')).toBe(0);
  });

  it("passes on the program's exit status and signals: they are the program's own", async () => {
    const r = await lab(String.raw`bia run -- true
bia run -- sh -c 'exit 7'; echo "RESULT exit $?"
bia run -- sh -c 'kill -TERM $$'; echo "RESULT term $?"
python3 - "$LAB_BIA" <<'PY'
import subprocess, sys
print("python sees", subprocess.run([sys.argv[1], "run", "--", "sh", "-c", "kill -KILL $$"]).returncode)
PY
"$LAB_BIA" run -- sleep 30 & job=$!
lab_wait "sleep under bia" pgrep -f '^sleep 30$'
echo "same process: $(pgrep -f '^sleep 30$') $job"
kill -TERM $job; wait $job; echo "RESULT killed $?"`);
    expect(r.rc('exit'), r.stderr).toBe(7);
    expect(r.rc('term')).toBe(143);
    // Killed by the signal, not exiting with 128+N as the Node launcher does.
    expect(r.stdout).toContain('python sees -9');
    expect(r.stdout).toMatch(/^same process: (\d+) \1$/m);
    expect(r.rc('killed')).toBe(143);
  });
});
