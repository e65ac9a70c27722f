/**
 * The address a request's unauthenticated allowance is counted against: `req.ip` (which honours
 * X-Forwarded-For only from the proxies `trust proxy` names), IPv4-mapped IPv6 folded to IPv4, and
 * IPv6 grouped by /64 (one host usually holds a whole /64, so per-address buckets would be free).
 */
import * as ipaddr from 'ipaddr.js';

export function clientAddress(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return 'unknown';
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const groups = (address as ipaddr.IPv6).toNormalizedString().split(':').slice(0, 4);
  return `${groups.join(':')}::/64`;
}
