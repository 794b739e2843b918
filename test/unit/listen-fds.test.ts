// sd_listen_fds(3) as the helper reads it: fds only for its own pid, one
// socket, and the variables gone from its environment in every case.
import { describe, expect, it } from 'vitest';
import { inheritedListener, ListenFdsError } from '../../src/helper/listen-fds.js';

describe('inheritedListener', () => {
  it('is fd 3 when LISTEN_PID is this pid and LISTEN_FDS is 1, and clears the variables', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: '42', LISTEN_FDS: '1', LISTEN_FDNAMES: 'bia-helper.socket', HOME: '/h' };
    expect(inheritedListener(env, 42)).toBe(3);
    expect(env).toEqual({ HOME: '/h' });
  });

  it('ignores fds meant for another process or when none were passed, and still clears the variables', () => {
    const other: NodeJS.ProcessEnv = { LISTEN_PID: '41', LISTEN_FDS: '1' };
    expect(inheritedListener(other, 42)).toBeUndefined();
    expect(other).toEqual({});
    expect(inheritedListener({}, 42)).toBeUndefined();
    expect(inheritedListener({ LISTEN_FDS: '1' }, 42)).toBeUndefined();
  });

  it('refuses several sockets, none, or a LISTEN_FDS that is not a number', () => {
    for (const fds of ['2', '0', '', 'one', '1x', undefined]) {
      const env: NodeJS.ProcessEnv = { LISTEN_PID: '42', LISTEN_FDS: fds };
      expect(() => inheritedListener(env, 42), String(fds)).toThrow(ListenFdsError);
      expect(env.LISTEN_PID).toBeUndefined();
    }
  });
});
