// End to end: dynamically linked musl programs get bia's musl build of the
// preload (scripts/musl-preload.mjs, build/Release/musl/libbia.so), not
// the supervisor: started by bia run, by a preloaded shell, and the other
// way round (a glibc program a musl program executes gets the glibc build,
// which a musl LD_PRELOAD would keep from starting). Each case runs its
// control: the same program without bia fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen, toolMissing } from '../support/skip.js';
import { cBuilt, POOL_ADDR, poolAddress } from '../support/static-programs.js';
import { muslPreloadLibrary } from '../../src/preload-path.js';

const dir = mkdtempSync(join(tmpdir(), 'bia-musl-preload-'));
const CLIENT = join(dir, 'musl_client');
const EXEC = join(dir, 'musl_exec');

const muslMissing = toolMissing(cBuilt('musl-gcc', 'static_client.c', CLIENT, false) && cBuilt('musl-gcc', 'exec_argv.c', EXEC, false), 'musl-gcc cannot build test/c/static_client.c (apt-get install musl-tools)');
const libraryMissing = muslPreloadLibrary() ? undefined : 'the musl preload is not built (apt-get install musl-tools, then npm run build)';
if (libraryMissing && process.env.CI) throw new Error(`CI must test the musl preload, but: ${libraryMissing}`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the musl build of the preload', skipWhen(labMissing, muslMissing, libraryMissing), () => {
  it('a dynamic musl client, started by bia run and by a preloaded shell, is translated by the preload (its trace line), not the supervisor', async () => {
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
${CLIENT} "$addr" 8080; echo "RESULT plain $?"
bia run --trace -- ${CLIENT} "$addr" 8080 2>&1; echo "RESULT bia $?"
bia run --trace -- sh -c '${CLIENT} "$1" 8080' sh "$addr" 2>&1; echo "RESULT sh $?"
bia doctor ${CLIENT} 2>&1 | grep musl_client
bia run --log-level debug -- ${CLIENT} "$addr" 8080 2>&1 | grep 'launcher:'`);
    const addr = poolAddress(r.stdout);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stdout).toBe(0);
    expect(r.rc('sh'), r.stdout).toBe(0);
    expect(r.stdout.split(`peername family inet len 16 addr ${addr} port 8080`).length).toBe(3);
    expect(r.stdout.match(new RegExp(`^bia\\[\\d+\\]: connect ${addr.replace(/\./g, '\\.')}:8080 -> \\[2001:db8:`, 'gm'))).toHaveLength(2);
    expect(r.stdout).toMatch(/dynamically linked against musl; bia can reach it with its musl build of the preload/);
    // The native launcher runs it itself (no Node start-up), as it does a glibc program.
    expect(r.stdout).toMatch(/launcher: helper on \S+ .*; running \S+musl_client directly$/m);
  });

  it('a musl program that executes a glibc program and a musl program: each gets the preload build for its C library', async () => {
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
bia run -- ${EXEC} sh -c 'echo "LD $LD_PRELOAD"; getent ahostsv4 v6only.test | head -1'; echo "RESULT glibc $?"
bia run -- ${EXEC} ${CLIENT} "$addr" 8080; echo "RESULT musl $?"`);
    const addr = poolAddress(r.stdout);
    expect(r.rc('glibc'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^LD \S*\/libbia\.so$/m);
    expect(r.stdout).not.toMatch(/^LD .*musl/m);
    expect(r.stdout).toMatch(/^198\.1[89]\.\d+\.\d+\s+STREAM v6only\.test$/m);
    expect(r.rc('musl'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`peername family inet len 16 addr ${addr} port 8080`);
  });
});
