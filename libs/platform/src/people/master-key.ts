/**
 * Where the people vault's master key comes from. `PEOPLE_MASTER_KEY` (validated by `loadConfig`,
 * required in production) always wins. Without it, in development and tests — as with
 * `ADMIN_API_KEY` — a key is generated so that `npm start` works out of the box: kept in
 * `<DATA_DIR>/people-master.key` (mode 0600, created once, shared by every process on the machine),
 * or only in memory with `DATA_DIR=memory://` (then the vault is unreadable after a restart).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPeopleMasterKey, MEMORY_DATA_DIR, type TrellisConfig } from '../config/trellis-config';
import { DATA_KEY_BYTES, masterKeyFrom, type MasterKey } from './people-crypto';

export const DEV_MASTER_KEY_FILE = 'people-master.key';

export interface ResolvedMasterKey {
  readonly master: MasterKey;
  readonly origin: 'configured' | 'development-file' | 'ephemeral';
  /** The file, for `development-file`. */
  readonly file?: string;
}

const decode = (value: string): Buffer => Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

export function resolveMasterKey(config: Pick<TrellisConfig, 'env' | 'dataDir' | 'peopleMasterKey'>): ResolvedMasterKey {
  if (config.peopleMasterKey !== undefined) {
    if (!isPeopleMasterKey(config.peopleMasterKey)) throw new Error('PEOPLE_MASTER_KEY must be 32 random bytes in base64');
    return { master: masterKeyFrom(decode(config.peopleMasterKey)), origin: 'configured' };
  }
  // loadConfig already refuses this; a config built by hand must not slip through either.
  if (config.env === 'production') throw new Error('PEOPLE_MASTER_KEY is required in production');
  if (config.dataDir === MEMORY_DATA_DIR) return { master: masterKeyFrom(randomBytes(DATA_KEY_BYTES)), origin: 'ephemeral' };

  const file = path.join(config.dataDir, DEV_MASTER_KEY_FILE);
  fs.mkdirSync(config.dataDir, { recursive: true });
  if (!fs.existsSync(file)) {
    // Written whole to a private file, then linked into place: of several processes starting at
    // once exactly one link succeeds, and no process ever reads a half-written key.
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(draft, `${randomBytes(DATA_KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    try {
      fs.linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.unlinkSync(draft);
    }
  }
  const stored = fs.readFileSync(file, 'utf8').trim();
  if (!isPeopleMasterKey(stored)) throw new Error(`${file} does not hold a people master key (32 bytes in base64); restore it or set PEOPLE_MASTER_KEY`);
  return { master: masterKeyFrom(decode(stored)), origin: 'development-file', file };
}
