import { clientAddress } from './client-address';

describe('clientAddress', () => {
  it('keeps IPv4 and folds IPv4-mapped IPv6 onto it', () => {
    expect(clientAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('groups IPv6 by /64, so rotating the interface id does not give a fresh allowance', () => {
    expect(clientAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8:1:2:bbbb::9')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8:1:3::1')).not.toBe(clientAddress('2001:db8:1:2::1'));
  });

  it('puts an absent or odd address in one shared bucket', () => {
    expect(clientAddress(undefined)).toBe('unknown');
    expect(clientAddress('not an ip')).toBe('unknown');
  });
});
