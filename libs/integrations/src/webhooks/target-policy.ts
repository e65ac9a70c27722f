/**
 * Which webhook target URLs Trellis may call (DESIGN.md §6, §9: SSRF protection). An integrator
 * chooses the URL, so without this a subscription could make the worker POST into the private
 * network, the cloud metadata service or its own Redis.
 *
 * Two steps: `checkUrl` (synchronous, for the subscription API: syntax, scheme, literal addresses)
 * and `resolve` (before every delivery: resolves the host and refuses it if ANY of its addresses is
 * not public). The sender then connects to the address `resolve` approved and to no other, so a DNS
 * answer that changes between the check and the connection (DNS rebinding) cannot reach a private
 * address. Address classes come from `ipaddr.js` (IANA special-purpose registries), not regexes.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export interface WebhookTargetPolicyConfig {
  /** Allow every address (private, loopback, link-local, …): tests, on-premises receivers. */
  readonly allowPrivateNetworks: boolean;
  /** Hosts allowed even when not public: host names (exact), IP addresses or CIDR ranges. */
  readonly allowedHosts: readonly string[];
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Every address of a host name (A and AAAA), like `dns.lookup(host, { all: true })`. */
export type LookupAllAddresses = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export type TargetFailureKind =
  /** The URL itself is unacceptable (scheme, credentials, fragment, length, syntax). */
  | 'invalid'
  /** The target is (or resolves to) an address the policy does not allow. */
  | 'refused'
  /** The host name did not resolve (possibly transient). */
  | 'unresolvable';

export type UrlCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly kind: TargetFailureKind };

export type TargetResolution =
  | {
      readonly ok: true;
      /** The first approved address (the one to use without Happy Eyeballs). */
      readonly address: string;
      readonly family: 4 | 6;
      /** Every address of the host, all approved, in resolver order. */
      readonly addresses: readonly { readonly address: string; readonly family: 4 | 6 }[];
      readonly hostname: string;
    }
  | { readonly ok: false; readonly reason: string; readonly kind: TargetFailureKind };

const defaultLookup: LookupAllAddresses = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** `[::1]` → `::1` (URL host names keep the brackets of IPv6 literals). */
export function unbracketHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function normalizeHostName(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is the IPv4 address it maps; classify and match it as such. */
function canonical(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

function ipv4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * Why an address is not a public unicast address, or null when it is. Only what ipaddr.js calls
 * `unicast` (no special-purpose range) passes; IPv6 forms that carry an IPv4 address (NAT64,
 * SIIT, 6to4, IPv4-compatible) are judged by that IPv4 address.
 */
export function nonPublicAddressReason(literal: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = canonical(ipaddr.parse(unbracketHost(literal)));
  } catch {
    return `${literal} is not an IP address`;
  }
  const range = parsed.range();
  if (parsed.kind() === 'ipv4') return range === 'unicast' ? null : `${parsed.toString()} is a ${range} address`;

  const v6 = parsed as ipaddr.IPv6;
  const p = v6.parts;
  let embedded: ipaddr.IPv4 | undefined;
  if (range === 'rfc6052' || range === 'rfc6145') embedded = ipv4FromParts(p[6]!, p[7]!);
  else if (range === '6to4') embedded = ipv4FromParts(p[1]!, p[2]!);
  else if (range === 'unicast' && p.slice(0, 6).every((x) => x === 0)) {
    // ::a.b.c.d, the deprecated IPv4-compatible form: ipaddr.js calls it unicast.
    return `${v6.toString()} is an IPv4-compatible IPv6 address`;
  }
  if (embedded) {
    const inner = nonPublicAddressReason(embedded.toString());
    return inner === null ? null : `${v6.toString()} (${range}) embeds ${inner}`;
  }
  return range === 'unicast' ? null : `${v6.toString()} is a ${range} address`;
}

export class WebhookTargetPolicy {
  private readonly allowPrivateNetworks: boolean;
  private readonly allowedHostNames = new Set<string>();
  private readonly allowedRanges: Cidr[] = [];
  private readonly lookup: LookupAllAddresses;

  /** Throws on an allowedHosts entry that is neither a host name, an IP address nor a CIDR range. */
  constructor(config: WebhookTargetPolicyConfig, options: { readonly lookup?: LookupAllAddresses } = {}) {
    this.allowPrivateNetworks = config.allowPrivateNetworks;
    this.lookup = options.lookup ?? defaultLookup;
    for (const raw of config.allowedHosts) {
      const entry = unbracketHost(raw.trim());
      if (entry === '') continue;
      if (entry.includes('/')) {
        if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(entry) && !ipaddr.IPv6.isValidCIDR(entry)) {
          throw new Error(`Invalid WEBHOOK_ALLOWED_HOSTS entry "${raw}": not a CIDR range`);
        }
        const [address, bits] = ipaddr.parseCIDR(entry);
        this.allowedRanges.push([address, bits]);
      } else if (isIP(entry) !== 0) {
        const address = ipaddr.parse(entry);
        this.allowedRanges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      } else {
        const name = normalizeHostName(entry);
        if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name)) {
          throw new Error(`Invalid WEBHOOK_ALLOWED_HOSTS entry "${raw}": not a host name, IP address or CIDR range`);
        }
        this.allowedHostNames.add(name);
      }
    }
  }

  /**
   * Synchronous checks for the subscription API: http(s) only, no credentials, no fragment, at most
   * 2048 characters, and a literal IP address (or `localhost`) judged at once. A host name passing
   * here can still be refused by `resolve`.
   */
  checkUrl(url: string): UrlCheck {
    const parsed = this.parse(url);
    if (!parsed.ok) return parsed;
    const host = parsed.url.hostname;
    if (this.hostIsAllowed(host)) return { ok: true };
    if (isIP(unbracketHost(host)) !== 0) return this.checkAddress(host);
    // RFC 6761: *.localhost always means the loopback interface.
    const name = normalizeHostName(host);
    if (!this.allowPrivateNetworks && (name === 'localhost' || name.endsWith('.localhost'))) {
      return { ok: false, kind: 'refused', reason: `${host} is a loopback host name` };
    }
    return { ok: true };
  }

  /**
   * `checkUrl`, then the addresses of the host: refused if ANY of them is not allowed (a host with
   * one public and one private address could otherwise be steered to the private one). Returns the
   * addresses to connect to; the caller must connect to one of them and to nothing else.
   */
  async resolve(url: string): Promise<TargetResolution> {
    const checked = this.checkUrl(url);
    if (!checked.ok) return checked;
    const hostname = unbracketHost(new URL(url).hostname);
    const literalFamily = isIP(hostname);
    if (literalFamily === 4 || literalFamily === 6) {
      return { ok: true, address: hostname, family: literalFamily, addresses: [{ address: hostname, family: literalFamily }], hostname };
    }

    let addresses: readonly ResolvedAddress[];
    try {
      addresses = await this.lookup(hostname);
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).message;
      return { ok: false, kind: 'unresolvable', reason: `DNS lookup of ${hostname} failed (${code})` };
    }
    const usable = addresses.filter((a) => isIP(a.address) !== 0);
    if (usable.length === 0) return { ok: false, kind: 'unresolvable', reason: `${hostname} has no IP address` };
    if (!this.hostIsAllowed(hostname)) {
      for (const { address } of usable) {
        const verdict = this.checkAddress(address);
        if (!verdict.ok) return { ok: false, kind: 'refused', reason: `${hostname} resolves to ${address}: ${verdict.reason}` };
      }
    }
    const approved = usable.map(({ address }) => ({ address, family: isIP(address) as 4 | 6 }));
    return { ok: true, address: approved[0]!.address, family: approved[0]!.family, addresses: approved, hostname };
  }

  /** Whether one IP address may be called (allowed ranges first, then the public-address rule). */
  checkAddress(literal: string): UrlCheck {
    if (this.allowPrivateNetworks) return { ok: true };
    let address: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      address = canonical(ipaddr.parse(unbracketHost(literal)));
    } catch {
      return { ok: false, kind: 'invalid', reason: `${literal} is not an IP address` };
    }
    const allowed = this.allowedRanges.some(([range, bits]) => {
      // A mapped range (::ffff:10.0.0.0/104) is the IPv4 range 10.0.0.0/8, as mapped addresses are IPv4.
      const mapped = range.kind() === 'ipv6' && bits >= 96 && (range as ipaddr.IPv6).isIPv4MappedAddress();
      const [r, prefix] = mapped ? [canonical(range), bits - 96] : [range, bits];
      return r.kind() === address.kind() && address.match(r, prefix);
    });
    if (allowed) return { ok: true };
    const reason = nonPublicAddressReason(address.toString());
    return reason === null
      ? { ok: true }
      : { ok: false, kind: 'refused', reason: `${reason}; only public addresses may receive webhooks` };
  }

  private hostIsAllowed(host: string): boolean {
    return this.allowedHostNames.has(normalizeHostName(unbracketHost(host)));
  }

  private parse(url: string): { ok: true; url: URL } | { ok: false; kind: 'invalid'; reason: string } {
    const invalid = (reason: string) => ({ ok: false as const, kind: 'invalid' as const, reason });
    if (typeof url !== 'string' || url.trim() === '') return invalid('the URL is empty');
    if (url.length > MAX_WEBHOOK_URL_LENGTH) return invalid(`the URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return invalid('the URL is not an absolute URL');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return invalid('only http and https URLs are allowed');
    if (parsed.username !== '' || parsed.password !== '') return invalid('the URL must not contain credentials');
    // `new URL` drops an empty fragment ("…/#"), so look at the text too.
    if (parsed.hash !== '' || url.includes('#')) return invalid('the URL must not contain a fragment');
    if (parsed.hostname === '') return invalid('the URL has no host');
    if (parsed.port === '0') return invalid('port 0 is not a valid target');
    return { ok: true, url: parsed };
  }
}
