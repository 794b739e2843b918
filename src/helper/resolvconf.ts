// resolv.conf(5), read with the limits and defaults glibc applies, so that a
// program under bia searches the same names it would without bia.
import os from 'node:os';
import { plainV4, plainV6 } from '../wire/addresses.js';

export interface Nameserver {
  family: 4 | 6;
  address: string;
  /** IPv6 scope id ("eth0" in fe80::1%eth0), "" if none. */
  zone: string;
}

export interface ResolvConf {
  nameservers: Nameserver[];
  search: string[];
  ndots: number;
  /** Seconds to wait for one try. */
  timeout: number;
  attempts: number;
}

// glibc: MAXNS, RES_MAXNDOTS, RES_MAXRETRANS, RES_MAXRETRY and the defaults in resolv.h.
const MAX_NAMESERVERS = 3;
const LIMITS = { ndots: 15, timeout: 30, attempts: 5 };
const DEFAULTS = { ndots: 1, timeout: 5, attempts: 2 };
const LOCALHOST: Nameserver = { family: 4, address: '127.0.0.1', zone: '' };

/** $BIA_RESOLV_CONF, else /etc/resolv.conf. */
export function resolvConfPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.BIA_RESOLV_CONF || '/etc/resolv.conf';
}

export function parseResolvConf(text: string, hostname = os.hostname()): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], ...DEFAULTS };
  let search: string[] | undefined;
  for (const line of text.split('\n')) {
    const [keyword, ...args] = line.replace(/[#;].*/, '').trim().split(/\s+/);
    if (keyword === 'nameserver') addNameserver(conf, args[0]);
    else if (keyword === 'domain') search = args.slice(0, 1);
    else if (keyword === 'search') search = args;
    else if (keyword === 'options') args.forEach((option) => applyOption(conf, option));
  }
  conf.search = (search ?? hostDomain(hostname)).map((d) => d.replace(/\.$/, '')).filter(Boolean);
  if (conf.nameservers.length === 0) conf.nameservers.push(LOCALHOST);
  return conf;
}

function addNameserver(conf: ResolvConf, text: string | undefined): void {
  if (!text || conf.nameservers.length >= MAX_NAMESERVERS) return;
  const v4 = plainV4(text);
  const v6 = v4 ? undefined : plainV6(text);
  if (v4) conf.nameservers.push({ family: 4, address: v4, zone: '' });
  else if (v6) conf.nameservers.push({ family: 6, ...v6 });
}

function applyOption(conf: ResolvConf, option: string): void {
  const match = /^(ndots|timeout|attempts):(\d+)$/.exec(option);
  if (!match) return;
  const key = match[1] as keyof typeof LIMITS;
  conf[key] = Math.min(Number(match[2]), LIMITS[key]);
  // A zero timeout or attempt count would make every query fail at once.
  if (key !== 'ndots') conf[key] = Math.max(conf[key], 1);
}

// Without search or domain, glibc searches the domain part of the host name.
function hostDomain(hostname: string): string[] {
  const dot = hostname.indexOf('.');
  return dot > 0 ? [hostname.slice(dot + 1)] : [];
}
