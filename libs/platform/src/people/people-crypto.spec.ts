import { randomBytes } from 'node:crypto';
import {
  generateDataKey,
  masterKeyFrom,
  open,
  openField,
  seal,
  sealField,
  unwrapDataKey,
  VaultDecryptionError,
  wrapDataKey,
} from './people-crypto';

const PERSON = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const OTHER = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';

describe('sealing a personal value (AES-256-GCM)', () => {
  const key = generateDataKey();

  it('round-trips any text, and never stores it in the clear', () => {
    for (const value of ['Ana Lucía Pérez', 'ana@district.example', '', '名前 🌱', 'x'.repeat(10_000)]) {
      const sealed = sealField(key, PERSON, 'displayName', value);
      expect(openField(key, PERSON, 'displayName', sealed)).toBe(value);
      if (value.length > 3) expect(sealed.includes(Buffer.from(value, 'utf8'))).toBe(false);
    }
  });

  it('uses a fresh random 96-bit IV each time: the same value seals differently', () => {
    const a = sealField(key, PERSON, 'email', 'ana@district.example');
    const b = sealField(key, PERSON, 'email', 'ana@district.example');
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(a[0]).toBe(1); // format version
    expect(a.length).toBe(1 + 12 + 16 + Buffer.byteLength('ana@district.example'));
  });

  it('refuses a tampered ciphertext, IV or tag instead of returning garbage', () => {
    const sealed = sealField(key, PERSON, 'displayName', 'Ana Lucía Pérez');
    for (const index of [0, 1, 12, 13, 28, 29, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[index] = tampered[index]! ^ 0x01;
      expect(() => openField(key, PERSON, 'displayName', tampered)).toThrow(VaultDecryptionError);
    }
    expect(() => openField(key, PERSON, 'displayName', sealed.subarray(0, sealed.length - 1))).toThrow(VaultDecryptionError);
    expect(() => openField(key, PERSON, 'displayName', sealed.subarray(0, 20))).toThrow(VaultDecryptionError);
    expect(() => openField(key, PERSON, 'displayName', Buffer.alloc(0))).toThrow(VaultDecryptionError);
  });

  it('binds a value to its person and field: swapped between rows or columns, it does not open', () => {
    const sealed = sealField(key, PERSON, 'displayName', 'Ana Lucía Pérez');
    expect(() => openField(key, OTHER, 'displayName', sealed)).toThrow(VaultDecryptionError);
    expect(() => openField(key, PERSON, 'email', sealed)).toThrow(VaultDecryptionError);
  });

  it('does not open with another key', () => {
    const sealed = sealField(key, PERSON, 'displayName', 'Ana');
    expect(() => openField(generateDataKey(), PERSON, 'displayName', sealed)).toThrow(VaultDecryptionError);
  });

  it('takes only 256-bit keys', () => {
    expect(() => seal(randomBytes(16), Buffer.from('x'), Buffer.alloc(0))).toThrow(RangeError);
    expect(() => open(randomBytes(31), seal(key, Buffer.from('x'), Buffer.alloc(0)), Buffer.alloc(0))).toThrow();
  });
});

describe('wrapping a data key with the master key', () => {
  const master = masterKeyFrom(randomBytes(32));

  it('round-trips the data key, bound to the person', () => {
    const dataKey = generateDataKey();
    const wrapped = wrapDataKey(master, PERSON, dataKey);
    expect(wrapped.includes(dataKey)).toBe(false);
    expect(unwrapDataKey(master, PERSON, wrapped).equals(dataKey)).toBe(true);
    expect(() => unwrapDataKey(master, OTHER, wrapped)).toThrow(VaultDecryptionError);
  });

  it('does not unwrap with another master key, nor after tampering', () => {
    const wrapped = wrapDataKey(master, PERSON, generateDataKey());
    expect(() => unwrapDataKey(masterKeyFrom(randomBytes(32)), PERSON, wrapped)).toThrow(VaultDecryptionError);
    const tampered = Buffer.from(wrapped);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0x80;
    expect(() => unwrapDataKey(master, PERSON, tampered)).toThrow(VaultDecryptionError);
  });

  it('names a master key by a stable fingerprint that does not reveal it', () => {
    const bytes = randomBytes(32);
    expect(masterKeyFrom(bytes).id).toBe(masterKeyFrom(Buffer.from(bytes)).id);
    expect(masterKeyFrom(bytes).id).toMatch(/^[0-9a-f]{16}$/);
    expect(masterKeyFrom(randomBytes(32)).id).not.toBe(masterKeyFrom(bytes).id);
    expect(masterKeyFrom(bytes).id).not.toContain(bytes.toString('hex').slice(0, 16));
    expect(() => masterKeyFrom(randomBytes(16))).toThrow(RangeError);
  });
});
