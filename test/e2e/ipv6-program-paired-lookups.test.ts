// End to end: IPv6 programs on an IPv4-only network reach the AAAA address
// of a dual-stack name (dual4.test) over IPv4, through its PAIRED entry,
// however they looked the name up:
// - curl -6 resolves AF_UNSPEC in a thread and keeps the IPv6 addresses
//   itself: the preload asks the helper for the name's pairs when libc's
//   answer has an AAAA address;
// - lftp with dns:order inet6 first looks for a global IPv6 address of the
//   host (getifaddrs: bia adds ::ffff:198.51.100.1), then resolves in a
//   forked child and connects in the parent, whose cache knows nothing:
//   the unreachable connect asks the helper (MAP6) for the pair.
// Each has its control: without bia it fails.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const LFTP = `lftp -c 'set dns:order inet6; set net:timeout 3; set net:max-retries 1; set net:reconnect-interval-base 1; cat http://dual4.test:8080/f.txt'`;

describe('IPv6 programs reach a dual-stack name on an IPv4-only network', skipWhen(labMissing), () => {
  it('curl -6 and lftp (dns:order inet6) connect to the AAAA address over IPv4; without bia they cannot', async () => {
    const r = await lab(
      `mkdir -p "$LAB_DIR/www" && echo "a file over http" >"$LAB_DIR/www/f.txt"
peer python3 -m http.server 8080 --bind 198.51.100.2 --directory "$LAB_DIR/www" >/dev/null 2>"$LAB_DIR/http.log" &
lab_wait "the peer's web server" peer_listening 8080
curl -6 -sS -m 5 http://dual4.test:8080/f.txt; echo "RESULT plain_curl $?"
bia run --trace -- curl -6 -sS -m 5 -w 'remote %{remote_ip}\\n' http://dual4.test:8080/f.txt; echo "RESULT curl $?"
${LFTP} 2>&1 | sed 's/^/plain lftp: /'; echo "RESULT plain_lftp \${PIPESTATUS[0]}"
bia run -- ${LFTP} | sed 's/^/lftp: /'; echo "RESULT lftp \${PIPESTATUS[0]}"
cat "$LAB_DIR/http.log"`,
      { family: 4 },
    );
    expect(r.rc('plain_curl')).not.toBe(0);
    expect(r.rc('curl'), r.stderr).toBe(0);
    expect(r.stdout).toContain('a file over http\nremote 2001:db8:9::2');
    expect(r.stderr).toContain('connect [2001:db8:9::2]:8080 -> [::ffff:198.51.100.2]:8080');
    expect(r.rc('plain_lftp')).not.toBe(0);
    expect(r.rc('lftp'), r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('lftp: a file over http');
    // The peer saw two requests, both from the host's IPv4 address.
    expect(r.stdout.match(/^198\.51\.100\.1 - - .*"GET \/f\.txt HTTP\/1\.1" 200/gm)).toHaveLength(2);
  });
});
