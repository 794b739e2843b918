// Builds the supervisor tests' programs (test/c, test/go) into a test's
// temporary directory: statically linked C (gcc -static, musl-gcc) and Go
// with CGO_ENABLED=0, its build cache inside that directory.
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { join } from 'node:path';

/** Whether COMPILER built test/c/SOURCE into OUT. */
export function cBuilt(compiler: string, source: string, out: string, linkStatic = true): boolean {
  try {
    execFileSync(compiler, [...(linkStatic ? ['-static'] : []), '-O1', '-o', out, join(__dirname, '../c', source)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether go built test/go/SOURCE into OUT, with DIR for its caches. */
export function goBuilt(source: string, out: string, dir: string): boolean {
  const env = { ...process.env, CGO_ENABLED: '0', GO111MODULE: 'off', GOCACHE: join(dir, 'gocache'), GOPATH: join(dir, 'gopath') };
  try {
    execFileSync('go', ['build', '-o', out, join(__dirname, '../go', source)], { stdio: 'ignore', env, cwd: dir });
    return true;
  } catch {
    return false;
  }
}

/** Lab shell lines: the pool address bia hands out for v6only.test, in $addr (and printed). */
export const POOL_ADDR = String.raw`addr=$(bia run -- getent ahostsv4 v6only.test | awk 'NR==1{print $1}')
echo "ADDR $addr"`;

/** The pool address POOL_ADDR printed. */
export function poolAddress(stdout: string): string {
  const addr = stdout.match(/^ADDR (198\.1[89]\.\d+\.\d+)$/m)?.[1];
  expect(addr, stdout).toBeDefined();
  return addr!;
}
