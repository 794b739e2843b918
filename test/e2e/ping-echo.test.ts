// End to end: iputils ping -4 to an IPv6-only name on an IPv6-only network
// (the lab in src/lab/lab.sh) through `bia run`: its ICMP socket becomes
// ICMPv6 at the same descriptor and the echoes are translated, so ping
// counts its replies and shows the stand-in address. As root ping uses a
// raw socket; as an ordinary user a ping socket (net.ipv4.ping_group_range
// opened in the lab's namespace), and bia runs it without its file
// capability (no_new_privs) so that the loader keeps LD_PRELOAD. Each case
// runs its control: the same ping without bia loses every packet.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

describe('ping -4 to an IPv6-only peer', skipWhen(labMissing), () => {
  it('as root (a raw ICMP socket): 3 echoes answered, from the stand-in address; without bia none', async () => {
    const r = await lab(`ping -4 -c 1 -W 1 v6only.test; echo "RESULT plain $?"
bia run -- ping -4 -c 3 -i 0.2 -W 2 v6only.test; echo "RESULT bia $?"`);
    expect(r.rc('plain'), r.stdout).not.toBe(0);
    expect(r.rc('bia'), `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^PING v6only\.test \(198\.18\.0\.\d+\) 56\(84\) bytes of data\.$/m);
    expect(r.stdout.match(/^64 bytes from (v6only\.test )?\(?198\.18\.0\.\d+\)?: icmp_seq=\d ttl=64 time=/gm), r.stdout).toHaveLength(3);
    expect(r.stdout).toMatch(/^3 packets transmitted, 3 received, 0% packet loss/m);
  });
});
