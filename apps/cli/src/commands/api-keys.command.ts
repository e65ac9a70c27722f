/**
 * `trellis api-keys …`: create a key (its secret is printed once and never again), list keys (records
 * only), revoke a key (effective at the server's next request). Needs an admin key in TRELLIS_API_KEY.
 */
import type { Command } from 'commander';
import { TrellisHttpClient } from '../http-client';

interface ApiKeyRecord {
  apiKeyId: string;
  name: string;
  role: string;
  organizationId?: string;
  prefix: string;
  createdAt: string;
  revokedAt?: string;
  bootstrap: boolean;
}

const ROLES = ['admin', 'auditor', 'integrator', 'member'];

export function registerApiKeyCommands(program: Command, out: (line: string) => void): void {
  const keys = program.command('api-keys').description('API keys: create (secret shown once), list, revoke');

  keys
    .command('create')
    .description('create a key; prints its secret once')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--role <role>', ROLES.join(', '))
    .option('--organization <organizationId>', 'bind the key to an organization (not for admin keys)')
    .action(async (opts: { name: string; role: string; organization?: string }) => {
      if (!ROLES.includes(opts.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
      const created = await TrellisHttpClient.fromEnv().send<ApiKeyRecord & { secret: string }>('POST', '/admin/api-keys', {
        name: opts.name,
        role: opts.role,
        ...(opts.organization !== undefined ? { organizationId: opts.organization } : {}),
      });
      out(`created ${created.apiKeyId} (${describe(created)})`);
      out(`secret: ${created.secret}`);
      out('Store the secret now: it is shown only once; the server keeps only its hash.');
    });

  keys
    .command('list')
    .description('every key, active and revoked (never the secrets)')
    .action(async () => {
      const { items } = await TrellisHttpClient.fromEnv().json<{ items: ApiKeyRecord[] }>('/admin/api-keys');
      out(row(['ID', 'ROLE', 'ORGANIZATION', 'PREFIX', 'STATUS', 'CREATED', 'NAME']));
      for (const k of items) {
        out(row([k.apiKeyId, k.role, k.organizationId ?? '-', k.prefix, k.revokedAt ? 'revoked' : 'active', k.createdAt, k.name]));
      }
    });

  keys
    .command('revoke <id>')
    .description('revoke a key; the very next request with it is refused')
    .action(async (id: string) => {
      const revoked = await TrellisHttpClient.fromEnv().send<ApiKeyRecord>('DELETE', `/admin/api-keys/${encodeURIComponent(id)}`);
      out(`revoked ${revoked.apiKeyId} (${describe(revoked)}) at ${revoked.revokedAt}`);
    });
}

const describe = (k: ApiKeyRecord): string => `${k.role}${k.organizationId ? ` of ${k.organizationId}` : ''}, "${k.name}"`;

const row = (cells: string[]): string => cells.map((c, i) => c.padEnd([36, 10, 16, 8, 7, 24][i] ?? 0)).join(' ').trimEnd();
