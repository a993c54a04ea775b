// Where a webhook may point: the host is resolved and every address it gives must be public
// (no loopback, private, link-local, CGNAT, unique-local, multicast or reserved ranges), unless
// WEBHOOK_ALLOW_PRIVATE=true. The sender connects to the address checked here (no rebinding).
import dns from 'node:dns/promises';
import net from 'node:net';
import { Invalid } from '../domain/errors';

const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local (cloud metadata)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (reaches IPv4 inside)
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv6');

/** The IPv4 address inside an IPv4-mapped or -compatible IPv6 address (::ffff:a.b.c.d), if any. */
function embeddedIpv4(ip: string): string | undefined {
  const m = /^(?:0*:)*(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip) ?? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (!m) return undefined;
  if (m.length === 2) return m[1];
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** True for an address a webhook must never reach (see the list above); non-addresses too. */
export function isForbiddenAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 4) return BLOCKED.check(ip, 'ipv4');
  if (family !== 6) return true;
  const v4 = embeddedIpv4(ip);
  if (v4) return BLOCKED.check(v4, 'ipv4');
  return BLOCKED.check(ip, 'ipv6');
}

/** How long resolving a webhook host may take. */
const LOOKUP_TIMEOUT_MS = 3000;

export interface Target {
  url: URL;
  address: string;
  family: 4 | 6;
}

/** Checks the URL's form (http/https, no credentials, a host). */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Invalid('webhook.url.invalid', 'The webhook URL is not a valid URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Invalid('webhook.url.scheme', 'A webhook URL starts with https:// (or http://).');
  if (url.username || url.password) throw new Invalid('webhook.url.credentials', 'A webhook URL may not carry a user name or password.');
  if (!url.hostname) throw new Invalid('webhook.url.invalid', 'The webhook URL names no host.');
  return url;
}

/**
 * Resolves the URL's host and returns the address to connect to; refuses hosts that do not
 * resolve, and (without allowPrivate) hosts any of whose addresses is not public.
 */
export async function resolveTarget(raw: string, allowPrivate: boolean): Promise<Target> {
  const url = parseWebhookUrl(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  if (net.isIP(host)) addresses = [{ address: host, family: net.isIP(host) }];
  else {
    try {
      // Bounded: adding a hook runs inside a transaction (on SQLite, holding the write lock).
      addresses = await Promise.race([
        dns.lookup(host, { all: true, verbatim: true }),
        new Promise<never>((_, reject) => setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })), LOOKUP_TIMEOUT_MS).unref()),
      ]);
    } catch (err) {
      throw new Invalid('webhook.url.unresolvable', `The webhook host ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
  }
  if (!addresses.length) throw new Invalid('webhook.url.unresolvable', `The webhook host ${host} does not resolve.`);
  if (!allowPrivate) {
    const bad = addresses.find((a) => isForbiddenAddress(a.address));
    if (bad)
      throw new Invalid(
        'webhook.url.private',
        `The webhook host ${host} resolves to ${bad.address}, a loopback, private or reserved address; webhooks only reach public addresses.`,
      );
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
