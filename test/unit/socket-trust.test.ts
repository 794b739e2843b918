// Which helper sockets bia trusts (src/socket-trust.ts, and the same rule
// in C, preload/core/client/socktrust.c): a shared helper's one root vouches for
// by the directories above it, and any socket in a directory of the
// user's own (0700) or root's, with a listener that may serve the user.
// Needs root to make files of other owners, as CI runs the tests.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkSystemSocket } from '../../src/socket-trust.js';
import { ATTACKER, VICTIM, asUser, secondUidMissing } from '../support/second-uid.js';
import { skipWhen } from '../support/skip.js';

const asRoot = process.getuid?.() === 0;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A socket file at DIR/helper.sock, owned by OWNER. */
function socketIn(dir: string, owner = 0): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'helper.sock');
  const r = spawnSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', file]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  fs.chownSync(file, owner, owner);
  return file;
}

function rootDir(): string {
  const dir = fs.mkdtempSync('/run/bia-trust-test-');
  fs.chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
}

describe('a shared helper socket', skipWhen(!asRoot && 'needs root, to make files of other owners'), () => {
  it("is trusted in root's directories, or in one root gave to the socket's owner, through a symbolic link too", () => {
    const top = rootDir();
    const own = socketIn(path.join(top, 'bia'));
    expect(checkSystemSocket(own)).toEqual({ trusted: own });
    const delegated = path.join(top, 'svc');
    const theirs = socketIn(delegated, 4243);
    fs.chownSync(delegated, 4243, 4243);
    expect(checkSystemSocket(theirs)).toEqual({ trusted: theirs });
    fs.symlinkSync(path.join(top, 'bia'), path.join(top, 'link'));
    expect(checkSystemSocket(path.join(top, 'link', 'helper.sock'))).toEqual({ trusted: own });
    expect(checkSystemSocket(path.join(top, 'none', 'helper.sock'))).toEqual({ absent: true });
  });

  it('is not trusted where another user could have put it', () => {
    const top = rootDir();
    const stranger = socketIn(path.join(top, 'a'), 4245); // root's directory, another user's socket
    expect(checkSystemSocket(stranger)).toEqual({ untrusted: expect.stringContaining('belongs to uid 4245, neither root nor') });
    const open = socketIn(path.join(top, 'b'));
    fs.chmodSync(path.dirname(open), 0o777);
    expect(checkSystemSocket(open)).toEqual({ untrusted: expect.stringContaining('is writable by others (mode 777)') });
    const deeper = socketIn(path.join(top, 'c', 'd'));
    fs.chownSync(path.join(top, 'c'), 4245, 4245); // above it, a directory of an ordinary user
    expect(checkSystemSocket(deeper)).toEqual({ untrusted: expect.stringContaining(`${path.join(top, 'c')} is not root's alone (owner uid 4245`) });
    const file = path.join(top, 'plain');
    fs.writeFileSync(file, '');
    expect(checkSystemSocket(file)).toEqual({ untrusted: `${file} is not a socket` });
  });
});

// ---- any helper socket: the same verdict from C and from TS -----------------

const ROOT = path.join(import.meta.dirname, '..', '..');
const VERDICT_TS = `
const [{ checkHelperSocket, peerRefusal }, { peerCredentials }, net] = await Promise.all([
  import(${JSON.stringify(path.join(ROOT, 'dist', 'socket-trust.js'))}), import(${JSON.stringify(path.join(ROOT, 'dist', 'native.js'))}), import('node:net')]);
const [file, connect] = process.argv.slice(1);
const t = checkHelperSocket(file);
const say = (why) => console.log(why ? 'untrusted ' + why : 'trusted ' + t.owner + ' ' + (t.vouched ? 1 : 0) + ' ' + (t.anyPeer ? 1 : 0));
if ('absent' in t) console.log('absent');
else if ('untrusted' in t) say(t.untrusted);
else if (!connect) say();
else { const s = net.connect(file, () => { say(peerRefusal(file, t, peerCredentials(s._handle.fd))); s.destroy(); }); }
`;
// Binds PATH as root, gives the file to OWNER, then listens as LISTENER (SO_PEERCRED is the listener's).
const LISTENER_PY = `import os, socket, sys, time
path, owner, listener = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_UNIX); s.bind(path); os.chown(path, owner, owner); os.chmod(path, 0o666)
os.setgid(listener); os.setuid(listener); s.listen(); print("ready", flush=True); time.sleep(60)`;

describe(`any helper socket, as uid ${VICTIM} sees it (C and TS alike)`, skipWhen(secondUidMissing), () => {
  const checker = path.join(os.tmpdir(), `bia-socktrust-${process.pid}`);
  const listeners: ChildProcess[] = [];
  beforeAll(() => {
    execFileSync('cc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-I', path.join(ROOT, 'preload', 'include'), path.join(ROOT, 'test', 'c', 'socktrust.c'), '-o', checker]);
    fs.chmodSync(checker, 0o755);
  });
  afterAll(() => fs.rmSync(checker, { force: true }));
  afterEach(() => listeners.splice(0).forEach((l) => l.kill('SIGKILL')));

  function verdict(file: string, connect = false): string {
    const extra = connect ? ['connect'] : [];
    const asVictim = (argv: string[]) => {
      const [cmd, ...args] = asUser(VICTIM, argv);
      return spawnSync(cmd, args, { encoding: 'utf8' });
    };
    const c = asVictim([checker, file, ...extra]);
    const ts = asVictim([process.execPath, '--input-type=module', '-e', VERDICT_TS, file, ...extra]);
    expect(c.stderr + ts.stderr).toBe('');
    expect(ts.stdout, 'the TS rule says what the C rule says').toBe(c.stdout);
    return c.stdout.trim();
  }

  function base(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-trust-'));
    fs.chmodSync(dir, 0o755);
    dirs.push(dir);
    return dir;
  }

  function dirOf(parent: string, name: string, owner: number, mode: number): string {
    const dir = path.join(parent, name);
    fs.mkdirSync(dir);
    fs.chownSync(dir, owner, owner);
    fs.chmodSync(dir, mode);
    return dir;
  }

  async function listen(file: string, owner: number, listener: number): Promise<string> {
    const child = spawn('python3', ['-c', LISTENER_PY, file, String(owner), String(listener)], { stdio: ['ignore', 'pipe', 'inherit'] });
    listeners.push(child);
    await new Promise((resolve) => child.stdout!.once('data', resolve));
    return file;
  }

  it("trusts the user's own 0700 directory and a listener of the user's, and root's socket in root's directory", async () => {
    const top = base();
    expect(verdict(path.join(top, 'none', 'helper.sock'))).toBe('absent');
    const own = dirOf(top, 'own', VICTIM, 0o700);
    expect(verdict(path.join(own, 'helper.sock'))).toBe('absent');
    await listen(path.join(own, 'helper.sock'), VICTIM, VICTIM);
    expect(verdict(path.join(own, 'helper.sock'), true)).toBe(`trusted ${VICTIM} 0 0`);
    const roots = dirOf(top, 'root', 0, 0o755); // a root helper serving every uid (--allow-root)
    await listen(path.join(roots, 'helper.sock'), 0, 0);
    expect(verdict(path.join(roots, 'helper.sock'), true)).toBe('trusted 0 1 1');
  });

  it("refuses another user's directory, a mode other than 0700, symbolic links, and a socket of another owner", async () => {
    const top = base();
    const theirs = dirOf(top, 'theirs', ATTACKER, 0o755);
    await listen(path.join(theirs, 'helper.sock'), ATTACKER, ATTACKER);
    expect(verdict(path.join(theirs, 'helper.sock'))).toBe(
      `untrusted refusing the helper socket ${theirs}/helper.sock: its directory ${theirs} belongs to uid ${ATTACKER} (mode 0755), neither to you (uid ${VICTIM}) with mode 0700 nor to root alone; whoever made it may listen there: remove it (rm -r ${theirs}, as its owner or root) or set XDG_RUNTIME_DIR (or BIA_SOCKET) to a directory of your own`,
    );
    const shared = dirOf(top, 'group', VICTIM, 0o770);
    expect(verdict(path.join(shared, 'helper.sock'))).toBe(`untrusted refusing the helper socket ${shared}/helper.sock: its directory ${shared} is yours but has mode 0770, not 0700: run 'chmod 0700 ${shared}'`);
    const link = path.join(top, 'link');
    fs.symlinkSync(theirs, link);
    fs.lchownSync(link, ATTACKER, ATTACKER);
    expect(verdict(path.join(link, 'helper.sock'))).toMatch(new RegExp(`^untrusted refusing the helper socket ${link}/helper.sock: ${link} is a symbolic link \\(uid ${ATTACKER}'s\\), not a directory; .* remove it \\(rm ${link}\\)`));
    const own = dirOf(top, 'own', VICTIM, 0o700);
    fs.symlinkSync(path.join(theirs, 'helper.sock'), path.join(own, 'helper.sock'));
    expect(verdict(path.join(own, 'helper.sock'))).toMatch(/^untrusted .*: it is a symbolic link \(uid 0's\), not a socket: remove it/);
    const planted = dirOf(top, 'planted', VICTIM, 0o700);
    await listen(path.join(planted, 'helper.sock'), ATTACKER, ATTACKER);
    expect(verdict(path.join(planted, 'helper.sock'))).toMatch(new RegExp(`^untrusted .*: it belongs to uid ${ATTACKER}, not to uid ${VICTIM} whose directory it is in`));
    const open = dirOf(top, 'open', 0, 0o775);
    expect(verdict(path.join(open, 'helper.sock'))).toMatch(/^untrusted .*belongs to uid 0 \(mode 0775\)/);
  });

  it("refuses a listener of another uid on the user's own socket", async () => {
    const own = dirOf(base(), 'own', VICTIM, 0o700);
    await listen(path.join(own, 'helper.sock'), VICTIM, ATTACKER);
    expect(verdict(path.join(own, 'helper.sock'))).toBe(`trusted ${VICTIM} 0 0`);
    expect(verdict(path.join(own, 'helper.sock'), true)).toMatch(
      new RegExp(`^untrusted refusing the helper socket ${own}/helper.sock: the process listening on it \\(pid \\d+\\) runs as uid ${ATTACKER}, not as you \\(uid ${VICTIM}\\); remove it`),
    );
  });
});
