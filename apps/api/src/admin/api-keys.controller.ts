/**
 * API keys for admins (DESIGN.md §9): create (the secret is shown once; only its hash is stored),
 * list (records, never secrets or hashes), revoke (effective at the very next request, since every
 * request looks its key up). The last active admin key cannot be revoked.
 */
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { API_KEY_STORE, type ApiKeyStore } from '@trellis/platform';
import { Roles } from '../auth/auth.decorators';
import { badRequest, ProblemException, validationFailed } from '../http/problem';
import { isUuid } from '../http/request-parsing';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { validateAgainst } from '../partnerships/dto/command-validation';
import { CreateApiKeyDto } from './api-keys.dto';
import { API_KEY_LIST_SCHEMA, API_KEY_RECORD_SCHEMA, CREATED_API_KEY_SCHEMA } from './api-keys.openapi';

const keyNotFound = (id: string) =>
  new ProblemException(404, 'API_KEY_NOT_FOUND', 'Not found', `No active API key ${String(id).slice(0, 60)}`);

@ApiTags('Admin')
@ApiBearerAuth()
@Controller('admin/api-keys')
@Roles('admin')
export class ApiKeysController {
  constructor(@Inject(API_KEY_STORE) private readonly keys: ApiKeyStore) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'Returns the key record and its `secret` — shown only in this response; the server keeps only its SHA-256 hash. ' +
      '`organizationId` binds the key to an organization: it then sees and acts only on the partnerships that ' +
      'organization belongs (or belonged) to. Admin keys cannot be bound.',
  })
  @ApiBody({ type: CreateApiKeyDto })
  @ApiResponse({ status: 201, description: 'Created; Location names it', schema: CREATED_API_KEY_SCHEMA })
  @ApiProblems(400, 401, 403, 413, 415, 429, 503)
  async create(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const result = validateAgainst(CreateApiKeyDto, body, 'body');
    if (!result.ok) throw validationFailed(result.errors.map((e) => ({ ...e, field: e.field.replace(/^body\.?/, '') || 'body' })));
    const dto = result.value as CreateApiKeyDto;
    if (dto.role === 'admin' && dto.organizationId !== undefined) {
      throw validationFailed([{ field: 'organizationId', messages: ['admin keys cannot be bound to an organization'] }]);
    }
    const { record, secret } = await this.keys.create({
      name: dto.name,
      role: dto.role,
      ...(dto.organizationId !== undefined ? { organizationId: dto.organizationId } : {}),
    });
    res.setHeader('Location', `/admin/api-keys/${record.apiKeyId}`);
    return { ...record, secret };
  }

  @Get()
  @ApiOperation({ summary: 'List API keys', description: 'Every key, active and revoked, oldest first: records only, never a secret or a hash.' })
  @ApiResponse({ status: 200, description: 'The keys', schema: API_KEY_LIST_SCHEMA })
  @ApiProblems(401, 403, 429, 503)
  async list() {
    return { items: await this.keys.list() };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke an API key',
    description:
      'Takes effect at once: the very next request with the key answers 401. 404 for an unknown or already revoked key; ' +
      '409 LAST_ADMIN_KEY for the last active admin key (create another admin key first). A revoked bootstrap key comes ' +
      'back at the next start while ADMIN_API_KEY still names it. Returns the revoked record.',
  })
  @ApiParam({ name: 'id', description: 'API key id (UUID)' })
  @ApiResponse({ status: 200, description: 'Revoked', schema: API_KEY_RECORD_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 409, 429, 503)
  async revoke(@Param('id') id: string) {
    if (!isUuid(id)) throw badRequest('INVALID_ID', `"${String(id).slice(0, 60)}" is not an API key id (a UUID)`, { errors: [{ field: 'path.id', messages: ['must be a UUID'] }] });
    const outcome = await this.keys.revokeKeepingAnAdmin(id.toLowerCase());
    if (outcome === 'not_found') throw keyNotFound(id);
    if (outcome === 'last_admin') {
      throw new ProblemException(409, 'LAST_ADMIN_KEY', 'Conflict', 'This is the last active admin key; create another admin key before revoking it');
    }
    return (await this.keys.get(id.toLowerCase()))!;
  }
}
