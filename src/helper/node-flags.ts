// How Node runs the helper, wherever bia starts it (bia run, the systemd
// units, the benchmark lab). Node 20 lets each semi-space of V8's young
// generation grow to 16 MiB under a steady stream of requests; the
// helper's garbage is short-lived reply buffers, so 2 MiB holds it. With
// the default, 100,000 mappings cost ~290 bytes each of RSS, with 2 MiB
// ~180, and bench/capacity.mjs showed no loss of requests per second (the
// smaller young generation stays in cache). See bench/shortfalls.md.
export const HELPER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
