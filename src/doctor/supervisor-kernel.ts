// Whether this kernel can run bia's seccomp supervisor (supervisor/): it
// needs seccomp user notification with SECCOMP_IOCTL_NOTIF_ADDFD, Linux 5.9.
// supervisor/filter.c checks the same before it starts a program.
import { release } from 'node:os';

export const SUPERVISOR_KERNEL = [5, 9] as const;

export function supervisorKernel(kernel = release()): { ok: boolean; what: string } {
  const [major, minor] = kernel.split('.').map((n) => parseInt(n, 10));
  const ok = major > SUPERVISOR_KERNEL[0] || (major === SUPERVISOR_KERNEL[0] && minor >= SUPERVISOR_KERNEL[1]);
  const need = `Linux ${SUPERVISOR_KERNEL.join('.')} or later`;
  return { ok, what: ok ? `it needs ${need}; this is ${kernel}` : `the supervisor that runs such programs needs ${need}, but this kernel is ${kernel}` };
}
