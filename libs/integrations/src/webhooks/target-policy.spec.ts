import { nonPublicAddressReason, WebhookTargetPolicy, type LookupAllAddresses, type ResolvedAddress } from './target-policy';

const strict = (lookup?: LookupAllAddresses, allowedHosts: readonly string[] = []) =>
  new WebhookTargetPolicy({ allowPrivateNetworks: false, allowedHosts }, lookup ? { lookup } : {});
const dnsAnswer =
  (table: Record<string, readonly string[]>): LookupAllAddresses =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('nonPublicAddressReason (address classes from ipaddr.js)', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'linkLocal'], // cloud metadata service
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'], // 0.0.0.0/8
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'], // documentation
    ['198.18.0.1', 'reserved'], // benchmarking
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'], // IPv4-mapped
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:a00:1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'], // NAT64 of 127.0.0.1
    ['::ffff:0:a00:1', 'private'], // SIIT (rfc6145) of 10.0.0.1
    ['2002:a9fe:a9fe::1', 'linkLocal'], // 6to4 of 169.254.169.254
    ['::7f00:1', 'IPv4-compatible'],
    ['2001::1', 'teredo'],
  ])('%s is refused (%s)', (address, word) => {
    expect(nonPublicAddressReason(address)).toContain(word);
  });

  it.each(['93.184.216.34', '1.1.1.1', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    '%s is public',
    (address) => {
      expect(nonPublicAddressReason(address)).toBeNull();
    },
  );
});

describe('WebhookTargetPolicy.checkUrl', () => {
  const policy = strict();

  it('accepts http and https URLs to host names and public addresses', () => {
    for (const url of ['https://hooks.example.com/trellis?x=1', 'http://example.org:8080/in', 'https://93.184.216.34/', 'https://[2606:4700:4700::1111]/h']) {
      expect(policy.checkUrl(url)).toEqual({ ok: true });
    }
  });

  it.each([
    ['', 'empty'],
    ['not a url', 'absolute URL'],
    ['/relative/path', 'absolute URL'],
    ['ftp://example.com/x', 'http and https'],
    ['file:///etc/passwd', 'http and https'],
    ['javascript:alert(1)', 'http and https'],
    ['https://user:pass@example.com/', 'credentials'],
    ['https://user@example.com/', 'credentials'],
    ['https://example.com/#frag', 'fragment'],
    ['https://example.com/#', 'fragment'],
    ['https://example.com:0/', 'port 0'],
    [`https://example.com/${'a'.repeat(2048)}`, '2048'],
  ])('refuses %j as invalid (%s)', (url, words) => {
    const result = policy.checkUrl(url);
    expect(result).toMatchObject({ ok: false, kind: 'invalid' });
    expect(!result.ok && result.reason).toContain(words);
  });

  it.each([
    'http://127.0.0.1:9000/',
    'http://127.1/', // normalised by the URL parser to 127.0.0.1
    'http://2130706433/', // ditto, 127.0.0.1 as one number
    'http://0x7f.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.5/',
    'http://0.0.0.0:6379/',
    'http://localhost:3000/',
    'http://api.localhost/',
    'http://LOCALHOST.:3000/',
  ])('refuses %s at once', (url) => {
    expect(policy.checkUrl(url)).toMatchObject({ ok: false, kind: 'refused' });
  });

  it('allows private literals and localhost when private networks are allowed', () => {
    const open = new WebhookTargetPolicy({ allowPrivateNetworks: true, allowedHosts: [] });
    expect(open.checkUrl('http://127.0.0.1:9000/')).toEqual({ ok: true });
    expect(open.checkUrl('http://localhost:9000/')).toEqual({ ok: true });
    // …but a bad URL stays bad.
    expect(open.checkUrl('http://u:p@127.0.0.1/')).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('allows listed IP addresses, CIDR ranges and host names only', () => {
    const listed = strict(undefined, ['127.0.0.1', '10.20.0.0/16', '[fd00::1]', 'LocalHost', 'receiver.internal.']);
    expect(listed.checkUrl('http://127.0.0.1:9000/')).toEqual({ ok: true });
    expect(listed.checkUrl('http://[::ffff:127.0.0.1]:9000/')).toEqual({ ok: true });
    expect(listed.checkUrl('http://127.0.0.2/')).toMatchObject({ ok: false, kind: 'refused' });
    expect(listed.checkUrl('http://10.20.255.1/')).toEqual({ ok: true });
    expect(listed.checkUrl('http://10.21.0.1/')).toMatchObject({ ok: false });
    expect(listed.checkUrl('http://[fd00::1]/')).toEqual({ ok: true });
    expect(listed.checkUrl('http://[fd00::2]/')).toMatchObject({ ok: false });
    expect(listed.checkUrl('http://localhost:3000/')).toEqual({ ok: true });
    expect(listed.checkUrl('http://api.localhost/')).toMatchObject({ ok: false });
  });

  it('refuses a configuration with an entry that is neither host, address nor range', () => {
    expect(() => strict(undefined, ['10.0.0.0/33'])).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
    expect(() => strict(undefined, ['http://example.com'])).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
    expect(() => strict(undefined, ['*.example.com'])).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
  });
});

describe('WebhookTargetPolicy.resolve', () => {
  it('returns a public address of the host to connect to', async () => {
    const policy = strict(dnsAnswer({ 'hooks.example.com': ['93.184.216.34', '2606:2800:220:1::1'] }));
    await expect(policy.resolve('https://hooks.example.com/in')).resolves.toEqual({
      ok: true,
      address: '93.184.216.34',
      family: 4,
      addresses: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ],
      hostname: 'hooks.example.com',
    });
  });

  it('refuses a host when ANY of its addresses is not public', async () => {
    const policy = strict(dnsAnswer({ 'mixed.example.com': ['93.184.216.34', '10.0.0.7'], 'meta.example.com': ['169.254.169.254'] }));
    const mixed = await policy.resolve('https://mixed.example.com/');
    expect(mixed).toMatchObject({ ok: false, kind: 'refused' });
    expect(!mixed.ok && mixed.reason).toContain('10.0.0.7');
    await expect(policy.resolve('https://meta.example.com/')).resolves.toMatchObject({ ok: false, kind: 'refused' });
  });

  it('refuses IPv6 answers that are loopback, unique-local or mapped private IPv4', async () => {
    const policy = strict(dnsAnswer({ a: ['::1'], b: ['fd00::5'], c: ['::ffff:192.168.0.1'], d: ['fe80::1'] }));
    for (const host of ['a', 'b', 'c', 'd']) {
      await expect(policy.resolve(`https://${host}/`)).resolves.toMatchObject({ ok: false, kind: 'refused' });
    }
  });

  it('reports a failed lookup as unresolvable (worth retrying) and a bad URL as invalid', async () => {
    const policy = strict(dnsAnswer({ empty: [] }));
    await expect(policy.resolve('https://nowhere.example/')).resolves.toMatchObject({ ok: false, kind: 'unresolvable' });
    await expect(policy.resolve('https://empty/')).resolves.toMatchObject({ ok: false, kind: 'unresolvable' });
    await expect(policy.resolve('gopher://x/')).resolves.toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('does not look up literal addresses', async () => {
    const lookup = jest.fn<ReturnType<LookupAllAddresses>, Parameters<LookupAllAddresses>>();
    const policy = new WebhookTargetPolicy({ allowPrivateNetworks: true, allowedHosts: [] }, { lookup });
    await expect(policy.resolve('http://[::1]:8080/')).resolves.toEqual({
      ok: true,
      address: '::1',
      family: 6,
      addresses: [{ address: '::1', family: 6 }],
      hostname: '::1',
    });
    await expect(policy.resolve('http://127.0.0.1:8080/')).resolves.toMatchObject({ ok: true, address: '127.0.0.1' });
    await expect(strict(lookup).resolve('http://10.0.0.1/')).resolves.toMatchObject({ ok: false, kind: 'refused' });
    expect(lookup).not.toHaveBeenCalled();
  });

  it('lets an allowed host name or range resolve to private addresses, nothing else', async () => {
    const lookup = dnsAnswer({ 'receiver.internal': ['10.1.0.9'], 'other.internal': ['10.1.0.9'], 'lab.example.com': ['192.168.7.7'] });
    const policy = strict(lookup, ['receiver.internal', '192.168.7.0/24']);
    await expect(policy.resolve('http://receiver.internal:8080/')).resolves.toMatchObject({ ok: true, address: '10.1.0.9' });
    await expect(policy.resolve('http://other.internal/')).resolves.toMatchObject({ ok: false, kind: 'refused' });
    await expect(policy.resolve('http://lab.example.com/')).resolves.toMatchObject({ ok: true, address: '192.168.7.7' });
  });

  it('allows every address with allowPrivateNetworks', async () => {
    const policy = new WebhookTargetPolicy(
      { allowPrivateNetworks: true, allowedHosts: [] },
      { lookup: dnsAnswer({ 'db.internal': ['10.0.0.3'] }) },
    );
    await expect(policy.resolve('http://db.internal/')).resolves.toMatchObject({ ok: true, address: '10.0.0.3', family: 4 });
  });

  it('uses the system resolver by default (localhost is loopback)', async () => {
    await expect(strict().resolve('http://localhost./')).resolves.toMatchObject({ ok: false });
    const open = new WebhookTargetPolicy({ allowPrivateNetworks: true, allowedHosts: [] });
    const resolved = await open.resolve('http://localhost:1/');
    expect(resolved).toMatchObject({ ok: true });
    expect(resolved.ok && nonPublicAddressReason(resolved.address)).toContain('loopback');
  });
});
