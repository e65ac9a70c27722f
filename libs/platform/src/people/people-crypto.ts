/**
 * The people vault's cryptography (DESIGN.md §9), with Node's crypto only:
 * - each person has a random 256-bit data key; each personal value (name, e-mail) is sealed with it
 *   by AES-256-GCM under a fresh random 96-bit IV, with the person id and the field as additional
 *   authenticated data, so a ciphertext moved to another row or another column fails to open;
 * - each data key is wrapped (AES-256-GCM again, the person id as AAD) by the master key from
 *   configuration and stored in its own row: deleting that row is the erasure (crypto-shredding).
 *
 * A sealed value is `version (1 byte) ‖ IV (12) ‖ tag (16) ‖ ciphertext`. Opening checks the tag:
 * a tampered value, a wrong key or a value of another person throws `VaultDecryptionError`, never
 * returns garbage.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
export const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_VERSION = 1;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** The personal fields the vault holds; each is bound to its column through the AAD. */
export type PersonalField = 'displayName' | 'email';

export class VaultDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultDecryptionError';
  }
}

export const generateDataKey = (): Buffer => randomBytes(DATA_KEY_BYTES);

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  if (key.length !== DATA_KEY_BYTES) throw new RangeError(`an AES-256 key is ${DATA_KEY_BYTES} bytes, got ${key.length}`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

export function open(key: Buffer, sealed: Uint8Array, aad: Buffer): Buffer {
  const bytes = Buffer.from(sealed);
  if (bytes.length < HEADER_BYTES || bytes[0] !== FORMAT_VERSION) throw new VaultDecryptionError('not a sealed vault value');
  const iv = bytes.subarray(1, 1 + IV_BYTES);
  const tag = bytes.subarray(1 + IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]);
  } catch {
    throw new VaultDecryptionError('authentication failed: the value was altered, belongs to another person or field, or the key is wrong');
  }
}

const fieldAad = (personId: string, field: PersonalField): Buffer => Buffer.from(`trellis:people:v1:${personId}:${field}`, 'utf8');
const keyAad = (personId: string): Buffer => Buffer.from(`trellis:people-key:v1:${personId}`, 'utf8');

export const sealField = (dataKey: Buffer, personId: string, field: PersonalField, value: string): Buffer =>
  seal(dataKey, Buffer.from(value, 'utf8'), fieldAad(personId, field));

export const openField = (dataKey: Buffer, personId: string, field: PersonalField, sealed: Uint8Array): string =>
  open(dataKey, sealed, fieldAad(personId, field)).toString('utf8');

/** The master key and a short public fingerprint of it (stored with each wrapped key). */
export interface MasterKey {
  readonly key: Buffer;
  /** 16 hex digits of a SHA-256 of the key: says which key wrapped a row without revealing it. */
  readonly id: string;
}

export function masterKeyFrom(key: Buffer): MasterKey {
  if (key.length !== DATA_KEY_BYTES) throw new RangeError(`the people master key is ${DATA_KEY_BYTES} bytes, got ${key.length}`);
  const id = createHash('sha256').update('trellis:people-master-key-id:v1').update(key).digest('hex').slice(0, 16);
  return { key, id };
}

export const wrapDataKey = (master: MasterKey, personId: string, dataKey: Buffer): Buffer => seal(master.key, dataKey, keyAad(personId));

export function unwrapDataKey(master: MasterKey, personId: string, wrapped: Uint8Array): Buffer {
  const key = open(master.key, wrapped, keyAad(personId));
  if (key.length !== DATA_KEY_BYTES) throw new VaultDecryptionError('the unwrapped data key has the wrong length');
  return key;
}
