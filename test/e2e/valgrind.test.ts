// valgrind memcheck over real programs under bia run in the IPv6-only lab:
// curl and python3 resolving a translated name and connecting through the
// preload. Any memcheck error (invalid access, use of uninitialised memory,
// a definite or indirect leak) makes valgrind exit 99, which fails the test.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const noValgrind = spawnSync('valgrind', ['--version']).status !== 0;
if (noValgrind && process.env.CI) throw new Error('CI must run the valgrind test: apt-get install valgrind');

const MEMCHECK = 'valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect';

describe('valgrind memcheck under bia run', skipWhen(labMissing, noValgrind && 'valgrind is not installed (apt-get install valgrind)'), () => {
  it('curl and python3 reach an IPv6-only peer by name with no memcheck error', async () => {
    const r = await lab(`peer_serve_tcp 8080
bia run -- ${MEMCHECK} curl -4 -sS -m 10 --http0.9 http://v6only.test:8080/; echo "RESULT curl $?"
bia run -- env PYTHONMALLOC=malloc ${MEMCHECK} python3 -c '
import socket
s = socket.create_connection(("v6only.test", 8080))
print("python", s.recv(100).decode().strip())
print("multi", sorted({a[4][0] for a in socket.getaddrinfo("multi.test", 80, socket.AF_INET)}))
print("reverse", socket.gethostbyaddr(s.getpeername()[0])[0])'; echo "RESULT python $?"`);
    const log = `${r.stdout}\n${r.stderr}`;
    expect(r.stdout, log).toMatch(/^hello from the IPv6-only peer/m);
    expect(r.stdout, log).toMatch(/^python hello from the IPv6-only peer/m);
    expect(r.stdout, log).toMatch(/^multi \['198\.1[89]\.\d+\.\d+', '198\.1[89]\.\d+\.\d+'\]$/m);
    expect(r.stdout, log).toMatch(/^reverse (v6only|multi)\.test$/m); // one IPv6 address, two names
    expect(r.rc('curl'), log).toBe(0);
    expect(r.rc('python'), log).toBe(0);
    expect(r.stderr, log).not.toMatch(/==\d+== (Invalid|Conditional|Use of uninitialised|Syscall param|.*definitely lost)/);
  }, 90_000);
});
