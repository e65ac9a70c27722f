/** Request body of `POST /admin/api-keys`, validated with the house decorators. */
import { API_KEY_ROLES, type ApiKeyRole } from '@trellis/platform';
import { IsClientId, IsOneOf, IsText } from '../partnerships/dto/validation.decorators';

export const MAX_API_KEY_NAME = 100;

export class CreateApiKeyDto {
  @IsText(MAX_API_KEY_NAME, { description: 'What the key is for (shown in listings), 1–100 characters' })
  name!: string;

  @IsOneOf(API_KEY_ROLES, { description: 'admin: everything; auditor: read only; integrator: feed, catalog and its own webhooks; member: reads and commands' })
  role!: ApiKeyRole;

  @IsClientId({
    optional: true,
    description: 'Binds the key to an organization (its id in the partnerships, [A-Za-z0-9_-]{1,100}); not for admin keys',
  })
  organizationId?: string;
}
