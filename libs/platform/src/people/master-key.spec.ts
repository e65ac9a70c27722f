import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MEMORY_DATA_DIR } from '../config/trellis-config';
import { DEV_MASTER_KEY_FILE, resolveMasterKey } from './master-key';
import { masterKeyFrom } from './people-crypto';

describe('resolveMasterKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-master-key-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('uses PEOPLE_MASTER_KEY when configured, in any environment, and writes no file', () => {
    const bytes = randomBytes(32);
    for (const env of ['production', 'development', 'test'] as const) {
      const resolved = resolveMasterKey({ env, dataDir: dir, peopleMasterKey: bytes.toString('base64') });
      expect(resolved).toMatchObject({ origin: 'configured' });
      expect(resolved.master.key.equals(bytes)).toBe(true);
    }
    expect(resolveMasterKey({ env: 'test', dataDir: dir, peopleMasterKey: bytes.toString('base64url') }).master.id).toBe(masterKeyFrom(bytes).id);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses to run in production without one, and refuses a malformed one', () => {
    expect(() => resolveMasterKey({ env: 'production', dataDir: dir, peopleMasterKey: undefined })).toThrow(/PEOPLE_MASTER_KEY is required in production/);
    expect(() => resolveMasterKey({ env: 'test', dataDir: dir, peopleMasterKey: 'short' })).toThrow(/32 random bytes/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('in development, generates a key once in DATA_DIR (mode 0600) and reuses it', () => {
    const first = resolveMasterKey({ env: 'development', dataDir: dir, peopleMasterKey: undefined });
    const file = path.join(dir, DEV_MASTER_KEY_FILE);
    expect(first).toMatchObject({ origin: 'development-file', file });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([DEV_MASTER_KEY_FILE]); // no draft left behind
    const second = resolveMasterKey({ env: 'development', dataDir: dir, peopleMasterKey: undefined });
    expect(second.master.key.equals(first.master.key)).toBe(true);
  });

  it('refuses a damaged development key file rather than replacing it (that would orphan every person)', () => {
    fs.writeFileSync(path.join(dir, DEV_MASTER_KEY_FILE), 'not a key\n');
    expect(() => resolveMasterKey({ env: 'test', dataDir: dir, peopleMasterKey: undefined })).toThrow(/does not hold a people master key/);
  });

  it('with DATA_DIR=memory://, keeps a random key in memory only', () => {
    const a = resolveMasterKey({ env: 'test', dataDir: MEMORY_DATA_DIR, peopleMasterKey: undefined });
    const b = resolveMasterKey({ env: 'test', dataDir: MEMORY_DATA_DIR, peopleMasterKey: undefined });
    expect(a.origin).toBe('ephemeral');
    expect(a.master.key.equals(b.master.key)).toBe(false);
  });
});
