import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { helperLogPath, socketPath, stateDir } from '../../src/paths.js';

describe('socketPath', () => {
  it('prefers BIA_SOCKET, then XDG_RUNTIME_DIR, then the temp directory', () => {
    expect(socketPath({ BIA_SOCKET: '/x/s.sock', XDG_RUNTIME_DIR: '/run/user/1' })).toBe('/x/s.sock');
    expect(socketPath({ XDG_RUNTIME_DIR: '/run/user/1' })).toBe('/run/user/1/bia/helper.sock');
    expect(socketPath({})).toBe(path.join(os.tmpdir(), `bia-${process.getuid!()}`, 'helper.sock'));
  });

  it('ignores a relative XDG_RUNTIME_DIR, as the XDG spec requires', () => {
    expect(socketPath({ XDG_RUNTIME_DIR: 'run' })).toBe(path.join(os.tmpdir(), `bia-${process.getuid!()}`, 'helper.sock'));
  });
});

describe('stateDir', () => {
  it('uses XDG_STATE_HOME, else ~/.local/state', () => {
    expect(stateDir({ XDG_STATE_HOME: '/s' })).toBe('/s/bia');
    expect(stateDir({})).toBe(path.join(os.homedir(), '.local', 'state', 'bia'));
    expect(helperLogPath({ XDG_STATE_HOME: '/s' })).toBe('/s/bia/helper.log');
  });
});
