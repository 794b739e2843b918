#!/usr/bin/env node
// `npm run bench` / `npm run bench:smoke`: builds the C benchmark programs,
// runs bench/lab-bench.sh inside a fresh lab (network namespaces; root or
// unprivileged user namespaces, like the end-to-end tests), and turns the
// samples into bench/results.md and docs/bench.svg.
//
//   node bench/run.mjs [--smoke] [--only SECTIONS] [--out DIR]
//   node bench/run.mjs --report    rewrite the table and plot from the raw
//                                  samples of the last full run (bench/out/)
//
// --smoke: tiny iteration counts (a CI check that the suite still runs); its
// results go to a temporary directory unless --out is given, so the reported
// figures are only ever rewritten by a full run.
// --only throughput,connect,cold,resolve,roundtrip,start,supervised,capacity: those
// sections alone (an A/B of one change), its results in a temporary
// directory like --smoke's unless --out is given.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const outArg = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const partial = smoke || only !== undefined;

// Throughput has rounds of its own: the data path is the kernel's socket
// either way, so its ratio is 1 within the noise, and only enough long
// rounds (the first second, TCP's slow start, left out) keep the median of
// the per-round ratios from landing on either side of 0.98 by chance.
const P = smoke
  ? { runs: 1, iperfRuns: 1, iperfSecs: 1, iperfOmit: 0, connectN: 50, rwN: 20_000, coldK: 3, resolveN: 10, rttN: 20, hfRuns: 10, capSecs: 0.3, memCounts: [2000, 5000], memDeadline: 5 }
  : { runs: 5, iperfRuns: 9, iperfSecs: 4, iperfOmit: 1, connectN: 1000, rwN: 1_000_000, coldK: 20, resolveN: 200, rttN: 300, hfRuns: 100, capSecs: 2, memCounts: [100_000, 1_000_000], memDeadline: 150 };

const work = mkdtempSync(join(tmpdir(), 'bia-bench-'));
const outDir = outArg ?? (partial ? work : undefined);
const resultsPath = outDir ? join(outDir, 'results.md') : join(here, 'results.md');
const plotPath = outDir ? join(outDir, 'bench.svg') : join(root, 'docs', 'bench.svg');
// The raw samples of a full run are kept (not committed) for --report.
const rawDir = join(here, 'out');

function writeReport(samples, env) {
  const report = analyse(samples);
  if (outDir) mkdirSync(outDir, { recursive: true });
  writeFileSync(resultsPath, markdown(report, env));
  writeFileSync(plotPath, svg(report));
  process.stdout.write(`\n${table(report.rows)}\n\nwrote ${resultsPath} and ${plotPath}\n`);
  return report;
}

function main() {
  if (args.includes('--report')) {
    const env = JSON.parse(readFileSync(join(rawDir, 'env.json'), 'utf8'));
    writeReport(parseSamples(readFileSync(join(rawDir, 'samples.txt'), 'utf8')), env);
    rmSync(work, { recursive: true, force: true });
    return Promise.resolve();
  }
  for (const need of [join(root, 'dist', 'cli', 'main.js'), join(root, 'build', 'Release', 'libbia.so'), join(root, 'build', 'Release', 'bia')]) {
    try {
      readFileSync(need);
    } catch {
      die(`${need} is missing: run \`npm run build\` first`);
    }
  }
  const missing = ['cc', 'iperf3', 'hyperfine', 'proxychains4', 'microsocks', 'unshare', 'dnsmasq'].filter(
    (t) => spawnSync('sh', ['-c', `command -v ${t} || test -x /usr/sbin/${t}`]).status !== 0,
  );
  if (missing.length) die(`missing tools: ${missing.join(', ')} (Debian: apt-get install build-essential iperf3 hyperfine proxychains4 microsocks util-linux dnsmasq-base)`);

  const bin = join(work, 'bin');
  mkdirSync(bin);
  for (const prog of ['connect_bench', 'resolve_bench', 'sink_server', 'uds_rtt', 'capacity_client']) {
    const cc = spawnSync('cc', ['-O2', '-Wall', '-o', join(bin, prog), join(here, `${prog}.c`)], { stdio: 'inherit' });
    if (cc.status !== 0) die(`cc ${prog}.c failed`);
  }
  // Static builds for the supervisor's section, and a dynamic musl one
  // where musl-gcc is (optional: that row is left out without it).
  for (const prog of ['connect_bench', 'stream_bench', 'rw_bench']) {
    const cc = spawnSync('cc', ['-static', '-O2', '-o', join(bin, `${prog}_static`), join(here, `${prog}.c`), '-lpthread'], { stdio: 'ignore' });
    if (cc.status !== 0) die(`cc -static ${prog}.c failed (apt-get install libc6-dev)`);
  }
  spawnSync('musl-gcc', ['-O2', '-o', join(bin, 'connect_bench_musl'), join(here, 'connect_bench.c')], { stdio: 'ignore' });

  // AAAA-only names for the cold resolution rounds.
  const hosts = ['2001:db8:1::2 warm.bench.test'];
  for (let r = 1; r <= P.runs; r++)
    for (const m of ['native', 'bia', 'plan', 'proxychains']) for (let i = 0; i < P.resolveN; i++) hosts.push(`2001:db8:1::2 n${i}.r${r}${m}.bench.test`);
  // Under a CLAT an IPv4-only program can only resolve names with an A
  // record: these stand for the peer as the CLAT shows it (lab.sh LAB_CLAT_PEER4).
  hosts.push('192.0.2.77 warm4.bench.test');
  for (let r = 1; r <= P.runs; r++) for (let i = 0; i < P.resolveN; i++) hosts.push(`192.0.2.77 n${i}.r${r}clat.bench.test`);
  writeFileSync(join(work, 'hosts'), hosts.join('\n') + '\n');

  const samplesPath = join(work, 'samples.txt');
  writeFileSync(samplesPath, '');
  const loadBefore = loadavg();
  const started = Date.now();
  return runLab(samplesPath, bin).then((code) => {
    const seconds = (Date.now() - started) / 1000;
    const samples = parseSamples(readFileSync(samplesPath, 'utf8'));
    const env = { smoke, seconds, loadBefore, loadAfter: loadavg(), cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', kernel: release(), node: process.version, date: new Date().toISOString(), P };
    if (!partial) {
      mkdirSync(rawDir, { recursive: true });
      writeFileSync(join(rawDir, 'samples.txt'), readFileSync(samplesPath));
      writeFileSync(join(rawDir, 'env.json'), JSON.stringify(env));
    }
    const report = writeReport(samples, env);
    const missingRows = only ? [] : report.rows.filter((r) => r.bia === undefined || Number.isNaN(r.bia)).map((r) => r.metric);
    if (code !== 0) die(`the lab exited with status ${code}`);
    if (missingRows.length) die(`no samples for: ${missingRows.join(', ')}`);
    // A smoke run without --out leaves its table in the work directory.
    if (outDir !== work) rmSync(work, { recursive: true, force: true });
  });
}

function die(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(1);
}

function runLab(samplesPath, bin) {
  const root0 = process.geteuid?.() === 0 && process.env.BIA_LAB_USERNS !== '1';
  const ns = ['--net', '--mount', '--pid', '--fork', '--mount-proc'];
  const body = `source "${join(root, 'src', 'lab', 'lab.sh')}"\nlab_up\nset +eu\nsource "${join(here, 'lab-bench.sh')}"`;
  const env = {
    ...process.env,
    BIA_ROOT: root,
    LAB_BIA: join(root, 'build', 'Release', 'bia'),
    LAB_QUIET: '1',
    // bench/bin/dnsmasq adds BENCH_HOSTS to the lab's name server.
    PATH: `${join(here, 'bin')}:${process.env.PATH}`,
    BENCH_HOSTS: join(work, 'hosts'),
    BENCH_BIN: bin,
    BENCH_OUT: samplesPath,
    BENCH_ONLY: only ?? '',
    BENCH_RUNS: String(P.runs),
    BENCH_IPERF_RUNS: String(P.iperfRuns),
    BENCH_IPERF_SECS: String(P.iperfSecs),
    BENCH_IPERF_OMIT: String(P.iperfOmit),
    BENCH_CONNECT_N: String(P.connectN),
    BENCH_RW_N: String(P.rwN),
    BENCH_COLD_K: String(P.coldK),
    BENCH_RESOLVE_N: String(P.resolveN),
    BENCH_RTT_N: String(P.rttN),
    BENCH_HF_RUNS: String(P.hfRuns),
    BENCH_CAP_SECS: String(P.capSecs),
    BENCH_MEM_COUNTS: P.memCounts.join(' '),
    BENCH_MEM_DEADLINE: String(P.memDeadline),
  };
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', [...(root0 ? ns : ['--user', '--map-root-user', ...ns]), 'bash', '-c', body], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function parseSamples(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\S+) (\S+) (.*)$/.exec(line);
    if (m) out.push({ metric: m[1], mode: m[2], round: Number(m[3]), data: JSON.parse(m[4]) });
  }
  return out;
}

// --- statistics ---------------------------------------------------------------
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const quantile = (xs, q) => {
  const s = sorted(xs);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const median = (xs) => {
  const s = sorted(xs);
  if (!s.length) return NaN;
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const spread = (xs) => (xs.length ? [Math.min(...xs), Math.max(...xs)] : [NaN, NaN]);
// Native and bia are measured in interleaved pairs, one pair per round: the
// ratio of a pair cancels most of the machine's load at that moment, so the
// reported ratio is the median of the per-round ratios.
const pairedRatio = (b, n) => (b.length && b.length === n.length ? median(b.map((x, i) => x / n[i])) : median(b) / median(n));
const pick = (samples, metric, mode, f) => samples.filter((s) => s.metric === metric && s.mode === mode).map((s) => f(s.data));

// What users would pick instead (bench/lab-bench.sh): a SOCKS proxy with
// proxychains4, and a userspace CLAT where tayga is installed.
const ALTERNATIVES = [
  ['proxychains', 'proxychains4 + microsocks'],
  ['clat', 'CLAT (tayga)'],
];

// Each alternative's median, spread and ratio to native; none for one not measured.
function alternatives(values, native) {
  const by = {};
  for (const [mode] of ALTERNATIVES) {
    const v = values(mode);
    if (v.length) by[mode] = { value: median(v), spread: spread(v), ratio: pairedRatio(v, native) };
  }
  return by;
}

function analyse(samples) {
  const rows = [];
  const alt = [];
  const notes = [];
  const row = (r) => (rows.push(r), r);
  const us = (ns) => ns / 1000;

  // 1. throughput
  const tp = (mode) => pick(samples, 'throughput', mode, (d) => d.bps / 1e9);
  const tN = tp('native'), tB = tp('bia');
  row({ metric: 'TCP bulk throughput (Gbit/s, iperf3)', unit: 'Gbit/s', native: median(tN), bia: median(tB), sn: spread(tN), sb: spread(tB), ratio: pairedRatio(tB, tN), target: '>= 0.98x', met: pairedRatio(tB, tN) >= 0.98, higherIsBetter: true });
  alt.push({ metric: 'TCP bulk throughput (Gbit/s)', native: median(tN), by: alternatives((m) => tp(m), tN), bia: pairedRatio(tB, tN) });

  // 2. connect, known mapping
  for (const [q, key] of [['p50', 'p50_ns'], ['p99', 'p99_ns']]) {
    const n = pick(samples, 'connect_warm', 'native', (d) => us(d[key]));
    const b = pick(samples, 'connect_warm', 'bia', (d) => us(d[key]));
    const mn = median(n), mb = median(b);
    row({ metric: `connect(), mapping known, ${q} (us)`, native: mn, bia: mb, sn: spread(n), sb: spread(b), ratio: pairedRatio(b, n), target: '<= +1 us', met: mb - mn <= 1 });
    alt.push({ metric: `connect() ${q} (us)`, native: mn, by: alternatives((m) => pick(samples, 'connect_warm', m, (d) => us(d[key])), n), bia: pairedRatio(b, n) });
  }
  // the same, paired inside one process: translated minus passed through
  {
    const d = pick(samples, 'connect_pairs', 'bia', (d) => us(d.diff_p50_ns));
    if (d.length) row({ metric: 'connect(), mapping known, translated minus passed through, interleaved in one process under bia, p50 of the pairs (us)', native: 0, bia: median(d), sb: spread(d), ratio: NaN, target: '<= +1 us', met: median(d) <= 1, count: true });
  }
  // what a connect cycle costs in system calls (strace -c)
  {
    const n = pick(samples, 'syscalls', 'native', (d) => d.per_cycle);
    const b = pick(samples, 'syscalls', 'bia', (d) => d.per_cycle);
    if (n.length && b.length) row({ metric: 'system calls per socket()+connect()+close() cycle, mapping known (strace -c)', native: median(n), bia: median(b), ratio: median(b) / median(n), target: 'report', met: undefined, count: true });
  }
  // cold connect: first connect of fresh processes, all rounds pooled
  {
    const n = pick(samples, 'connect_cold', 'native', (d) => us(d.first_ns));
    const b = pick(samples, 'connect_cold', 'bia', (d) => us(d.first_ns));
    for (const [q, qq] of [['p50', 0.5], ['p99', 0.99]]) {
      row({ metric: `connect(), first in a fresh process (mapping from the helper's published table; the USE a datagram), ${q} (us, ${b.length} processes)`, native: quantile(n, qq), bia: quantile(b, qq), sn: spread(n), sb: spread(b), ratio: quantile(b, qq) / quantile(n, qq), target: q === 'p99' ? '< 100 us' : 'report', met: q === 'p99' ? quantile(b, qq) < 100 : undefined });
    }
    // A fresh process's first connect is far above 100 us natively here
    // (page faults, the first TCP connect): what bia adds is the part it owns.
    for (const [q, qq] of [['p50', 0.5], ['p99', 0.99]]) {
      const added = quantile(b, qq) - quantile(n, qq);
      row({ metric: `connect(), first in a fresh process, added by bia (bia ${q} - native ${q}, us)`, native: 0, bia: added, ratio: NaN, target: q === 'p99' ? '< 100 us' : 'report', met: q === 'p99' ? added < 100 : undefined, count: true });
    }
    // The fresh processes are pooled, so each alternative's ratio is of its pooled quantile.
    for (const [q, qq] of [['p50', 0.5], ['p99', 0.99]]) {
      const by = {};
      for (const [m] of ALTERNATIVES) {
        const v = pick(samples, 'connect_cold', m, (d) => us(d.first_ns));
        if (v.length) by[m] = { value: quantile(v, qq), spread: spread(v), ratio: quantile(v, qq) / quantile(n, qq) };
      }
      alt.push({ metric: `connect(), first in a fresh process, ${q} (us)`, native: quantile(n, qq), by, bia: quantile(b, qq) / quantile(n, qq) });
    }
  }

  // 3. resolution
  for (const [kind, target, ok] of [['cold', '<= 1.2x native AF_UNSPEC', (r) => r <= 1.2], ['warm', '< 1x', (r) => r < 1]]) {
    const n = pick(samples, `resolve_${kind}`, 'native', (d) => us(d.p50_ns));
    const b = pick(samples, `resolve_${kind}`, 'bia', (d) => us(d.p50_ns));
    const r = pairedRatio(b, n);
    row({ metric: `getaddrinfo, ${kind === 'cold' ? 'cold (name new to the helper; native asks AF_UNSPEC, the same two queries)' : 'warm (asked before by the same process: bia answers from its process cache)'}, p50 (us)`, native: median(n), bia: median(b), sn: spread(n), sb: spread(b), ratio: r, target, met: ok(r) });
    if (kind === 'cold') alt.push({ metric: 'getaddrinfo, cold name, p50 (us)', native: median(n), by: alternatives((m) => pick(samples, 'resolve_cold', m, (d) => us(d.p50_ns)), n), bia: r });
  }
  // what the plan for cold names (shortfalls.md) would cost, measured
  {
    const n = pick(samples, 'resolve_cold', 'native', (d) => us(d.p50_ns));
    const p = pick(samples, 'resolve_cold', 'plan', (d) => us(d.p50_ns));
    if (p.length) row({ metric: 'getaddrinfo, cold, the planned path (glibc\'s own AF_UNSPEC lookup + one MAP6 on a kept helper connection; not built), p50 (us)', native: median(n), bia: median(p), sn: spread(n), sb: spread(p), ratio: pairedRatio(p, n), target: 'report', met: undefined });
  }

  // the helper round trip behind the cold figures, against a C floor
  for (const [q, key] of [['p50', 'p50_ns'], ['p99', 'p99_ns']]) {
    const n = pick(samples, 'roundtrip', 'native', (d) => us(d[key]));
    const b = pick(samples, 'roundtrip', 'bia', (d) => us(d[key]));
    const r = pairedRatio(b, n);
    row({ metric: `one helper round trip (new Unix connection + HELLO), ${q} (us; "native" = a trivial C server)`, native: median(n), bia: median(b), sn: spread(n), sb: spread(b), ratio: r, target: q === 'p99' ? '<= 3x' : 'report', met: q === 'p99' ? r <= 3 : undefined });
  }

  // 5. process start
  {
    const pre = samples.filter((s) => s.metric === 'start_preload').map((s) => s.data.map((t) => median(t) * 1000));
    const n = pre.map((x) => x[0]), b = pre.map((x) => x[1]);
    const extra = median(b.map((x, i) => x - n[i]));
    row({ metric: 'process start, /bin/true with the preload, wall clock (ms, hyperfine)', native: median(n), bia: median(b), sn: spread(n), sb: spread(b), ratio: pairedRatio(b, n), target: '< +1 ms', met: extra < 1, extra });
    const cn = pick(samples, 'start_cpu', 'native', (d) => d.ms), cb = pick(samples, 'start_cpu', 'bia', (d) => d.ms);
    if (cn.length && cb.length) {
      const cextra = median(cb.map((x, i) => x - cn[i]));
      row({ metric: 'process start, /bin/true with the preload, CPU time (ms, perf stat task-clock)', native: median(cn), bia: median(cb), sn: spread(cn), sb: spread(cb), ratio: pairedRatio(cb, cn), target: '< +1 ms', met: cextra < 1, extra: cextra });
    }
    const fast = samples.filter((s) => s.metric === 'start_fast').map((s) => s.data.map((t) => median(t) * 1000));
    const fn = fast.map((x) => x[0]), fb = fast.map((x) => x[1]);
    const fextra = median(fb.map((x, i) => x - fn[i]));
    row({ metric: '`bia run -- /bin/true`, helper running, wall clock (ms, hyperfine; the native launcher)', native: median(fn), bia: median(fb), sn: spread(fn), sb: spread(fb), ratio: pairedRatio(fb, fn), target: '< +1 ms', met: fextra < 1, extra: fextra });
    const tn = pick(samples, 'start_cpu', 'true', (d) => d.ms), tb = pick(samples, 'start_cpu', 'run', (d) => d.ms);
    if (tn.length && tb.length) {
      const textra = median(tb.map((x, i) => x - tn[i]));
      row({ metric: '`bia run -- /bin/true`, helper running, CPU time (ms, perf stat task-clock; the native launcher)', native: median(tn), bia: median(tb), sn: spread(tn), sb: spread(tb), ratio: pairedRatio(tb, tn), target: '< +1 ms', met: textra < 1, extra: textra });
    }
    const run = samples.filter((s) => s.metric === 'start_run').map((s) => s.data.map((t) => median(t) * 1000));
    const rn = run.map((x) => x[0]), rb = run.map((x) => x[1]), node = run.map((x) => x[2]);
    row({ metric: '`bia run -- /bin/true` through the Node launcher (ms; what the native one hands other cases to)', native: median(rn), bia: median(rb), sn: spread(rn), sb: spread(rb), ratio: pairedRatio(rb, rn), target: 'report', met: undefined });
    notes.push(`A bare \`node -e 0\` takes ${fmt(median(node))} ms (${fmt(spread(node)[0])}-${fmt(spread(node)[1])}) on this machine: that is the floor of any Node launcher, hence the native one (launcher/).`);
    const rt = pick(samples, 'roundtrips', 'preload', (d) => d);
    const rtRun = pick(samples, 'roundtrips', 'run', (d) => d);
    if (rt.length) row({ metric: `helper requests from ${rt[0].processes} preloaded processes without networking`, native: 0, bia: rt[0].requests, ratio: NaN, target: '0', met: rt[0].requests === 0, count: true });
    if (rtRun.length) notes.push(`\`bia run -- /bin/true\` x${rtRun[0].processes}: ${rtRun[0].requests} helper requests in all (the native launcher reads the helper's published table and only connects; it asks HELLO only without one; none from /bin/true).`);
  }

  // 6. programs under the seccomp supervisor (static builds; docs/supervisor.md)
  {
    const tN = pick(samples, 'sup_throughput', 'native', (d) => d.bps / 1e9), tB = pick(samples, 'sup_throughput', 'bia', (d) => d.bps / 1e9);
    const tr = pairedRatio(tB, tN);
    row({ metric: 'supervised: TCP bulk throughput of a static program (Gbit/s, stream_bench)', unit: 'Gbit/s', native: median(tN), bia: median(tB), sn: spread(tN), sb: spread(tB), ratio: tr, target: '>= 0.98x', met: tr >= 0.98, higherIsBetter: true });
    for (const [q, key] of [['p50', 'p50_ns'], ['p99', 'p99_ns']]) {
      const n = pick(samples, 'sup_connect', 'native', (d) => us(d[key])), b = pick(samples, 'sup_connect', 'bia', (d) => us(d[key]));
      const mn = median(n), mb = median(b);
      row({ metric: `supervised: connect() of a static program, mapping known, ${q} (us)`, native: mn, bia: mb, sn: spread(n), sb: spread(b), ratio: pairedRatio(b, n), target: '<= +20 us', met: mb - mn <= 20 });
    }
    const rN = pick(samples, 'sup_rw', 'native', (d) => d.pair_ns), rB = pick(samples, 'sup_rw', 'bia', (d) => d.pair_ns);
    const rr = pairedRatio(rB, rN);
    row({ metric: 'supervised: write()+read() of one byte through a pipe, static program (ns per pair)', native: median(rN), bia: median(rB), sn: spread(rN), sb: spread(rB), ratio: rr, target: 'none measurable (<= 1.02x)', met: rr <= 1.02 });
    // Which path a dynamic musl program takes: bia's musl preload or the supervisor.
    const mN = pick(samples, 'musl_connect', 'native', (d) => us(d.p50_ns));
    for (const m of ['preload', 'supervisor']) {
      const b = pick(samples, 'musl_connect', m, (d) => us(d.p50_ns));
      if (b.length) row({ metric: `musl, dynamically linked: connect(), mapping known, p50, under ${m === 'preload' ? "bia's musl preload" : 'the supervisor alone'} (us)`, native: median(mN), bia: median(b), sn: spread(mN), sb: spread(b), ratio: pairedRatio(b, mN), target: 'report', met: undefined });
    }
  }

  // 4. capacity and memory
  {
    const cap = pick(samples, 'capacity', 'helper', (d) => d);
    for (const c of cap) {
      const name = { map6: 'MAP6, new address each, 1 in flight per client', resolve_literal: 'RESOLVE of IPv6 literals, 1 in flight per client', map6_pipelined: `MAP6, ${c.depth} in flight per client`, map6_known: 'MAP6 of addresses already mapped, 1 in flight per client' }[c.phase] ?? c.phase;
      // The target is the lockstep row of new mappings (a program's first
      // connects); the others say where the helper's time goes.
      const lockstep = c.phase === 'map6';
      row({ metric: `helper requests/s, 8 clients: ${name}`, native: NaN, bia: c.per_second, ratio: NaN, target: lockstep ? '>= 100000/s' : 'report', met: lockstep ? c.per_second >= 100000 : undefined, count: true });
    }
    if (cap.length) notes.push(`Capacity CPU per request (us), helper / client (bench/capacity_client.c, one thread): ${cap.map((c) => `${c.phase} ${fmt(c.cpu_us_per_request)} / ${fmt(c.client_cpu_us_per_request)}`).join(', ')}.`);
    const mem = pick(samples, 'memory', 'helper', (d) => d);
    const base = mem.find((m) => m.mappings === 0);
    for (const m of mem.filter((x) => x.mappings > 0)) {
      row({ metric: `helper RSS per mapping at ${m.mappings.toLocaleString('en')} mappings${m.reached ? '' : ` (target ${m.target.toLocaleString('en')} not reached within ${P.memDeadline} s)`} (bytes)`, native: NaN, bia: m.per_mapping, ratio: NaN, target: '< 200 B', met: m.reached && m.per_mapping < 200, count: true });
    }
    if (base) notes.push(`Helper base RSS (no mappings): ${(base.rss / 2 ** 20).toFixed(1)} MiB; per-mapping figures are (RSS - base) / mappings.`);
    const two = mem.filter((x) => x.mappings > 0);
    if (two.length === 2) notes.push(`Marginal cost between ${two[0].mappings.toLocaleString('en')} and ${two[1].mappings.toLocaleString('en')} mappings: ${Math.round((two[1].rss - two[0].rss) / (two[1].mappings - two[0].mappings))} bytes each.`);
  }
  // A run of some sections (--only) shows their rows alone.
  const measured = (x) => x !== undefined && !Number.isNaN(x);
  if (only) return { rows: rows.filter((r) => measured(r.bia)), alt: alt.filter((a) => measured(a.bia)), notes: [] };
  return { rows, alt, notes };
}

// --- output -------------------------------------------------------------------
function fmt(x) {
  if (x === undefined || Number.isNaN(x)) return '-';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en');
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}
const withSpread = (x, s) => (s && !Number.isNaN(x) && s.length === 2 && !Number.isNaN(s[0]) ? `${fmt(x)} (${fmt(s[0])}-${fmt(s[1])})` : fmt(x));
const ratioText = (r) => (Number.isNaN(r) ? '-' : `${r.toFixed(2)}x`);
const metText = (m) => (m === undefined ? '-' : m ? 'yes' : '**no**');

function table(rows) {
  const lines = ['| metric | native | bia | ratio | target | met? |', '|---|---:|---:|---:|---|---|'];
  for (const r of rows) lines.push(`| ${r.metric} | ${withSpread(r.native, r.sn)} | ${withSpread(r.bia, r.sb)} | ${ratioText(r.ratio)}${r.extra !== undefined && !Number.isNaN(r.extra) ? ` (${r.extra >= 0 ? '+' : ''}${fmt(r.extra)} ms)` : ''} | ${r.target} | ${metText(r.met)} |`);
  return lines.join('\n');
}

function markdown({ rows, alt, notes }, env) {
  const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
  return `# bia benchmark results

Generated by \`npm run bench${env.smoke ? ':smoke' : ''}\` (bench/run.mjs) on ${env.date}; do not edit by hand.

Machine: ${env.cpus} x ${env.cpu}, Linux ${env.kernel}, Node ${env.node}. Load average before / after the run: ${load(env.loadBefore)} / ${load(env.loadAfter)}
(a load above 1 means other work shared the cores and absolute numbers are noisy; native and bia
were measured interleaved in the same run, so the ratios are the figures to read). Run time ${env.seconds.toFixed(0)} s.

All figures come from one lab (src/lab): an IPv6-only host and an IPv6-only peer behind a veth pair, the
peer's dnsmasq as the name server. "native" is the same task done the IPv6 way by an IPv6-capable program
(\`iperf3 -6\`, an AF_INET6 connect to 2001:db8:1::2, \`getaddrinfo(AF_INET6)\`, and \`getaddrinfo(AF_UNSPEC)\` for a cold name: the A and AAAA queries bia's helper sends); "bia" is the IPv4-only way
under bia (\`iperf3 -4\`, AF_INET connect to the pool address, \`getaddrinfo(AF_INET)\`). Each cell is the
median over ${env.P.runs} interleaved rounds, with the (min-max) of the round values; where the rounds pair
native and bia, the ratio is the median of the per-round ratios (a pair shares the load of its moment). The
first-connect rows pool all fresh processes of all rounds.

## bia against native

${table(rows)}

Parameters: iperf3 ${env.P.iperfRuns ?? env.P.runs} rounds of ${env.P.iperfSecs} s${env.P.iperfOmit ? ` after ${env.P.iperfOmit} s left out (slow start)` : ''}; ${env.P.connectN} connects per round; ${env.P.coldK} fresh processes per round for the
first connect; ${env.P.resolveN} names per round; ${env.P.rttN} helper round trips per round; hyperfine ${env.P.hfRuns} runs per command per round (bia run: ${Math.ceil(env.P.hfRuns / 10)}); capacity ${env.P.capSecs} s per phase.

${notes.map((n) => `- ${n}`).join('\n')}

## What users would pick instead

proxychains4 with microsocks (SOCKS5 on 127.0.0.1, names resolved by the
proxy: its getaddrinfo answers a made-up 224.x address without asking
any DNS, which the proxy resolves at the connect), and a userspace CLAT: tayga on a TUN device on the host,
translating the host's IPv4 address and a stand-in IPv4 address of the
peer statelessly to IPv6 (464XLAT's customer side; src/lab/lab.sh
lab_clat; its program asks the name server through the CLAT, for an A
record). "-": not measured (tayga missing, or no TUN device it may open).

| metric | native | ${ALTERNATIVES.map(([, name]) => `${name} | ratio`).join(' | ')} | bia's ratio |
|---|---:|${ALTERNATIVES.map(() => '---:|---:').join('|')}|---:|
${alt.map((a) => `| ${a.metric} | ${fmt(a.native)} | ${ALTERNATIVES.map(([m]) => (a.by[m] ? `${withSpread(a.by[m].value, a.by[m].spread)} | ${ratioText(a.by[m].ratio)}` : '- | -')).join(' | ')} | ${ratioText(a.bia)} |`).join('\n')}

The plot: docs/bench.svg (ratios to native, log scale).
${shortfalls()}`;
}

// The explanations of missed targets are written by hand (bench/shortfalls.md)
// and carried into every generated results.md.
function shortfalls() {
  try {
    return `\n${readFileSync(join(here, 'shortfalls.md'), 'utf8')}`;
  } catch {
    return '';
  }
}

function svg({ rows, alt }) {
  const bars = [];
  for (const r of rows) if (!Number.isNaN(r.ratio) && r.ratio > 0) bars.push({ label: r.metric.replace(/ \(.*?\)$/, ''), bia: r.ratio, met: r.met });
  for (const a of alt) {
    for (const [m, name] of ALTERNATIVES) {
      const r = a.by[m]?.ratio;
      if (r !== undefined && !Number.isNaN(r) && r > 0) bars.push({ label: `${name}: ${a.metric.replace(/ \(.*?\)$/, '')}`, alt: r });
    }
  }
  const W = 900, left = 420, right = 40, rowH = 26, top = 56;
  const H = top + bars.length * rowH + 40;
  const lo = Math.log10(0.01), hi = Math.log10(Math.max(10, ...bars.map((b) => (b.bia ?? b.alt) * 1.5)));
  const x = (v) => Math.round(10 * (left + ((Math.log10(v) - lo) / (hi - lo)) * (W - left - right))) / 10;
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/`/g, '');
  let out = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="white"/>\n<text x="${W / 2}" y="20" text-anchor="middle" font-size="15">bia / native (grey: the alternatives / native), log scale; 1x = same as native</text>
<text x="${W / 2}" y="36" text-anchor="middle" font-size="11">green: target met, red: not met, blue: reported only (bench/results.md has the values and targets)</text>\n`;
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) {
    const v = 10 ** e;
    out += `<line x1="${x(v)}" y1="${top - 10}" x2="${x(v)}" y2="${H - 30}" stroke="${e === 0 ? '#000' : '#ccc'}"/><text x="${x(v)}" y="${H - 15}" text-anchor="middle">${v}x</text>\n`;
  }
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const v = b.bia ?? b.alt;
    const color = b.alt !== undefined ? '#999' : b.met === undefined ? '#68a' : b.met ? '#2a8' : '#d62';
    const x0 = x(Math.min(1, v)), x1 = x(Math.max(1, v));
    out += `<text x="${left - 8}" y="${y + 16}" text-anchor="end">${esc(b.label.length > 62 ? b.label.slice(0, 60) + '...' : b.label)}</text>\n<rect x="${x0}" y="${y + 4}" width="${Math.max(1, Math.round(10 * (x1 - x0)) / 10)}" height="${rowH - 8}" fill="${color}"/><text x="${x1 + 4}" y="${y + 16}">${v.toFixed(2)}x</text>\n`;
  });
  return out + '</svg>\n';
}

await main();
