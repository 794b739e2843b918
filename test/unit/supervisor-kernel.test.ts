// bia doctor's kernel check for the seccomp supervisor (Linux >= 5.9 for
// SECCOMP_IOCTL_NOTIF_ADDFD), on release strings as uname gives them.
import { describe, expect, it } from 'vitest';
import { supervisorKernel } from '../../src/doctor/supervisor-kernel.js';

describe('supervisorKernel', () => {
  it('accepts 5.9 and later, refuses older kernels and says which this is', () => {
    expect(supervisorKernel('5.9.0-1-amd64').ok).toBe(true);
    expect(supervisorKernel('6.1.0-18-amd64').ok).toBe(true);
    expect(supervisorKernel('10.0.0').ok).toBe(true);
    expect(supervisorKernel('5.8.18').ok).toBe(false);
    expect(supervisorKernel('4.19.0-26-amd64')).toEqual({ ok: false, what: 'the supervisor that runs such programs needs Linux 5.9 or later, but this kernel is 4.19.0-26-amd64' });
  });
});
