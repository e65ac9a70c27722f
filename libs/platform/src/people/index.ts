// The people vault (DESIGN.md §9): names and e-mails under per-person keys, erasure by destroying the key.
export * from './compliance.events';
export * from './participant-label';
export { masterKeyFrom, VaultDecryptionError, type MasterKey, type PersonalField } from './people-crypto';
export * from './master-key';
export * from './people-vault';
export * from './people-vault.module';
