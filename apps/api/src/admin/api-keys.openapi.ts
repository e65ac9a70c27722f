/** Response shapes of `/admin/api-keys` (the request body comes from CreateApiKeyDto). */
import { API_KEY_ROLES } from '@trellis/platform';

export const API_KEY_RECORD_SCHEMA = {
  type: 'object',
  required: ['apiKeyId', 'name', 'role', 'prefix', 'createdAt', 'bootstrap'],
  properties: {
    apiKeyId: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    role: { type: 'string', enum: [...API_KEY_ROLES] },
    organizationId: { type: 'string', description: 'Present when the key is bound to an organization' },
    prefix: { type: 'string', description: 'The first 8 characters of the secret, to recognise a key (never the secret)' },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: 'string', format: 'date-time', description: 'Present once revoked' },
    bootstrap: { type: 'boolean', description: 'The bootstrap admin key (ADMIN_API_KEY or generated at first start)' },
  },
};

export const CREATED_API_KEY_SCHEMA = {
  allOf: [
    API_KEY_RECORD_SCHEMA,
    {
      type: 'object',
      required: ['secret'],
      properties: { secret: { type: 'string', pattern: '^trk_[A-Za-z0-9_-]{43}$', description: 'The key itself, shown only in this response; only its SHA-256 hash is stored' } },
    },
  ],
};

export const API_KEY_LIST_SCHEMA = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: API_KEY_RECORD_SCHEMA, description: 'Every key, active and revoked, oldest first' } },
};
