// End to end: a program the preload cannot reach (statically linked, Go)
// that a preloaded program executes (a shell's command) runs under the
// seccomp supervisor, as bia run starts such a program itself
// (preload/core/exec/supervise.c, docs/supervisor.md). Each case runs its
// control: the same command without bia fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen, toolMissing } from '../support/skip.js';
import { cBuilt, goBuilt, POOL_ADDR, poolAddress } from '../support/static-programs.js';

const dir = mkdtempSync(join(tmpdir(), 'bia-supervise-exec-'));
const CLIENT = join(dir, 'static_client');
const GO_CLIENT = join(dir, 'pool_client');

const clientMissing = toolMissing(cBuilt('gcc', 'static_client.c', CLIENT), 'gcc -static cannot build test/c/static_client.c (apt-get install gcc libc6-dev)');
const goMissing = toolMissing(goBuilt('pool_client.go', GO_CLIENT, dir), 'go cannot build test/go/pool_client.go (apt-get install golang-go)');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a static program a preloaded program executes runs under the supervisor', skipWhen(labMissing, clientMissing), () => {
  it('bia run -- sh -c CLIENT: the shell\'s execve starts the supervisor; the client reaches the IPv6-only peer and reads back the pool address', async () => {
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
sh -c '${CLIENT} "$1" 8080' sh "$addr"; echo "RESULT plain $?"
bia run -- sh -c '${CLIENT} "$1" 8080; echo "exit $?"' sh "$addr"; echo "RESULT bia $?"`);
    const addr = poolAddress(r.stdout);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.stdout).toMatch(/^connected (ENETUNREACH|EHOSTUNREACH)$/m);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`peername family inet len 16 addr ${addr} port 8080`);
    expect(r.stdout).toMatch(/^greeting hello from the IPv6-only peer/m);
    expect(r.stdout).toMatch(/^exit 0$/m);
  });

  it('posix_spawnp (python3 os.posix_spawnp, a PATH search) and execvp (env) start it under the supervisor too', async () => {
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
cp ${CLIENT} "$LAB_DIR/static_client"
PATH="$LAB_DIR:$PATH" bia run -- python3 -c '
import os, sys
pid = os.posix_spawnp("static_client", ["static_client", sys.argv[1], "8080"], os.environ)
print("spawned exit", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
' "$addr"; echo "RESULT spawn $?"
PATH="$LAB_DIR:$PATH" bia run -- env static_client "$addr" 8080; echo "RESULT env $?"`);
    const addr = poolAddress(r.stdout);
    expect(r.rc('spawn'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^spawned exit 0$/m);
    expect(r.rc('env'), r.stderr).toBe(0);
    expect(r.stdout.split(`peername family inet len 16 addr ${addr} port 8080`).length).toBe(3);
  });

  it('a static program a preloaded program executes with an emptied environment (env -i) runs as asked, untranslated, as it would without bia', async () => {
    const r = await lab(`${POOL_ADDR}
bia run -- env -i ${CLIENT} "$addr" 8080; echo "RESULT bia $?"`);
    poolAddress(r.stdout);
    expect(r.stdout).toMatch(/^connected (ENETUNREACH|EHOSTUNREACH)$/m);
    expect(r.stderr).not.toContain('supervisor');
  });

  it('a set-uid static program a shell executes is not supervised (it would lose its privileges): it runs untranslated', async () => {
    const r = await lab(`${POOL_ADDR}
cp ${CLIENT} "$LAB_DIR/suid_client"; chmod u+s "$LAB_DIR/suid_client"
bia run -- sh -c '"$2" "$1" 8080; echo "exit $?"' sh "$addr" "$LAB_DIR/suid_client"; echo "RESULT bia $?"`);
    poolAddress(r.stdout);
    expect(r.stdout).toMatch(/^connected (ENETUNREACH|EHOSTUNREACH)$/m);
    expect(r.stdout).not.toMatch(/^exit 0$/m);
  });
});

describe('a Go program a shell executes runs under the supervisor', () => {
  it('a CGO_ENABLED=0 Go client given a name resolves it with its own resolver and reaches the IPv6-only peer', skipWhen(labMissing, goMissing), async () => {
    const r = await lab(`peer_serve_tcp 8080
sh -c '${GO_CLIENT} v6only.test:8080 tcp4'; echo "RESULT plain $?"
bia run -- sh -c '${GO_CLIENT} v6only.test:8080 tcp4'; echo "RESULT bia $?"`);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^remote 198\.1[89]\.\d+\.\d+:8080$/m);
    expect(r.stdout).toContain('greeting hello from the IPv6-only peer');
  });
});
