// vsftpd as the FTP tests run it (ftp-alg*.test.ts): anonymous, a file at
// /pub/f.txt under the lab's directory, no connect from port 20, the
// protocol logged to $LAB_DIR/vsftpd.log, and run_as_launching_user in a
// user namespace (only root is mapped there: vsftpd-isolate.test.ts).
import { existsSync } from 'node:fs';
import { labMissing } from './lab.js';

/** Why the FTP tests cannot run here; CI must run them. */
export const vsftpdMissing = labMissing ?? (existsSync('/usr/sbin/vsftpd') ? undefined : 'vsftpd is not installed');
if (vsftpdMissing && process.env.CI) throw new Error(`CI must run the FTP ALG tests, but: ${vsftpdMissing}`);

const userns = process.geteuid?.() !== 0 || process.env.BIA_LAB_USERNS === '1';

/**
 * Lab script lines that write the file and vsftpd's configuration to
 * "$conf": listening on IPv6 (listen_ipv6=YES) or on IPv4 only.
 */
export function vsftpdConfig(family: 4 | 6): string {
  return String.raw`mkdir -p "$LAB_DIR/ftp/pub" && echo 'a file over ftp' >"$LAB_DIR/ftp/pub/f.txt"
chmod 755 "$LAB_DIR" "$LAB_DIR/ftp" "$LAB_DIR/ftp/pub"; chmod 644 "$LAB_DIR/ftp/pub/f.txt"
conf="$LAB_DIR/vsftpd.conf"
cat >"$conf" <<CONF
listen=${family === 4 ? 'YES' : 'NO'}
listen_ipv6=${family === 6 ? 'YES' : 'NO'}
anonymous_enable=YES
no_anon_password=YES
anon_root=$LAB_DIR/ftp
local_enable=NO
connect_from_port_20=NO
secure_chroot_dir=/var/run/vsftpd/empty
background=NO
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$LAB_DIR/vsftpd.log
CONF
${userns ? `echo run_as_launching_user=YES >>"$conf"` : ''}
`;
}

/** The lines that start it on the peer and wait for port 21. */
export const PEER_VSFTPD = String.raw`peer /usr/sbin/vsftpd "$conf" &
peer_tcp() { peer ss -Htln "sport = :$1" | grep -q .; }
lab_wait "vsftpd on the peer" peer_tcp 21
`;
