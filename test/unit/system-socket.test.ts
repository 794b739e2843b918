// Which shared-helper sockets bia trusts (src/cli/system-socket.ts): one
// root vouches for by the directories above it, and no other. Needs root to
// make files of other owners, as CI runs the tests.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSystemSocket } from '../../src/cli/system-socket.js';
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
