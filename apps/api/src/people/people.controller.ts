/**
 * The people vault over HTTP (DESIGN.md §9): register a person, read them back, erase them.
 *
 * Roles: admin and member register and erase; admin, auditor and member read (auditors see names in
 * every view anyway); integrators never. A key bound to an organization sees and erases only the
 * people registered by keys of that organization (others answer 404, as for partnerships).
 */
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PEOPLE_VAULT, type PeopleVault, type PersonRecord, type Principal } from '@trellis/platform';
import { CurrentPrincipal, READERS, Roles, WRITERS } from '../auth/auth.decorators';
import { badRequest, ProblemException, validationFailed } from '../http/problem';
import { isUuid } from '../http/request-parsing';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { validateAgainst } from '../partnerships/dto/command-validation';
import { ErasePersonDto, RegisterPersonDto } from './people.dto';
import { ERASURE_RESULT_SCHEMA, PERSON_REGISTERED_SCHEMA, PERSON_SCHEMA } from './people.openapi';

/** What `GET /people/:id` answers. */
export type PersonView =
  | { personId: string; erased: false; displayName: string; email: string; createdAt: string }
  | { personId: string; erased: true; erasedAt: string; reason?: string; createdAt: string };

@ApiTags('People')
@ApiBearerAuth()
@Controller('people')
export class PeopleController {
  constructor(@Inject(PEOPLE_VAULT) private readonly vault: PeopleVault) {}

  @Post()
  @HttpCode(201)
  @Roles(...WRITERS)
  @ApiOperation({
    summary: 'Register a person in the people vault',
    description:
      'Stores the name and e-mail encrypted under a key of their own (AES-256-GCM; the key wrapped by the master key). ' +
      'Answers the `personId` to put in JoinParticipant: events carry that id, never the name. A key bound to an ' +
      'organization registers people of that organization.',
  })
  @ApiBody({ type: RegisterPersonDto })
  @ApiResponse({ status: 201, description: 'Registered (Location: /people/{personId})', schema: PERSON_REGISTERED_SCHEMA })
  @ApiProblems(400, 401, 403, 413, 415, 429, 503)
  async register(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response) {
    const { displayName, email } = parseBody(RegisterPersonDto, trimmed(body)) as RegisterPersonDto;
    const { personId } = await this.vault.register({
      displayName,
      email,
      ...(principal.organizationId ? { organizationId: principal.organizationId } : {}),
    });
    res.setHeader('Location', `/people/${personId}`);
    return { personId };
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'A person',
    description: 'The decrypted name and e-mail; after erasure only `{personId, erased: true, erasedAt, reason?}`.',
  })
  @ApiParam({ name: 'id', description: 'Person id (UUID)' })
  @ApiResponse({ status: 200, description: 'The person, or what is left after erasure', schema: PERSON_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async get(@Param('id') rawId: string, @CurrentPrincipal() principal: Principal): Promise<PersonView> {
    const person = await this.visiblePerson(parsePersonId(rawId), principal);
    switch (person.status) {
      case 'active':
        return { personId: person.personId, erased: false, displayName: person.displayName, email: person.email, createdAt: person.createdAt };
      case 'erased':
        return { personId: person.personId, erased: true, erasedAt: person.erasedAt, ...(person.reason ? { reason: person.reason } : {}), createdAt: person.createdAt };
      case 'unreadable':
        // Integrity failure (tampering, or another master key): a server fault, and nothing is shown.
        throw new ProblemException(500, 'INTERNAL', 'Internal error', 'The person\'s record does not authenticate; it was not returned');
    }
  }

  @Post(':id/erasure')
  @HttpCode(200)
  @Roles(...WRITERS)
  @ApiOperation({
    summary: 'Erase a person (crypto-shredding)',
    description:
      'Destroys the person\'s key and ciphertext and appends `PersonalDataErased {personId, erasedAt, reason?}` to the ' +
      '`compliance` stream. From then on every view shows "erased participant (role, organization type)". Idempotent: ' +
      'erasing an erased person answers 200 with the same body and appends nothing.',
  })
  @ApiParam({ name: 'id', description: 'Person id (UUID)' })
  @ApiBody({ type: ErasePersonDto, required: false })
  @ApiResponse({ status: 200, description: 'Erased (now or before)', schema: ERASURE_RESULT_SCHEMA })
  @ApiProblems(400, 401, 403, 404, 413, 415, 429, 503)
  async erase(@Param('id') rawId: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const personId = parsePersonId(rawId);
    const { reason } = parseBody(ErasePersonDto, body ?? {}) as ErasePersonDto;
    await this.visiblePerson(personId, principal);
    const erasure = await this.vault.erase(personId, {
      ...(reason ? { reason } : {}),
      recordedBy: { apiKeyId: principal.apiKeyId, ...(principal.organizationId ? { organizationId: principal.organizationId } : {}) },
      correlationId: req.correlationId!,
    });
    if (!erasure) throw personNotFound(personId);
    return {
      personId: erasure.personId,
      erased: true,
      erasedAt: erasure.erasedAt,
      ...(erasure.reason ? { reason: erasure.reason } : {}),
      eventId: erasure.eventId,
    };
  }

  private async visiblePerson(personId: string, principal: Principal): Promise<PersonRecord> {
    const person = await this.vault.find(personId);
    if (!person || !visibleTo(person, principal)) throw personNotFound(personId);
    return person;
  }
}

/** An unbound key sees everyone; a key bound to an organization, the people its organization registered. */
export const visibleTo = (person: Pick<PersonRecord, 'organizationId'>, principal: Pick<Principal, 'organizationId'>): boolean =>
  principal.organizationId === undefined || person.organizationId === principal.organizationId;

export const personNotFound = (personId: string) =>
  new ProblemException(404, 'PERSON_NOT_FOUND', 'Not found', `Person ${personId} does not exist`);

function parsePersonId(raw: string): string {
  if (!isUuid(raw)) throw badRequest('INVALID_ID', `"${String(raw).slice(0, 100)}" is not a person id (a UUID)`, { errors: [{ field: 'path.id', messages: ['must be a UUID'] }] });
  return raw.toLowerCase();
}

function parseBody(dto: new () => object, body: unknown): object {
  const result = validateAgainst(dto, body, 'body');
  if (!result.ok) throw validationFailed(result.errors.map((e) => ({ ...e, field: e.field.replace(/^body\./, '') })));
  return result.value;
}

/** Surrounding spaces are not part of a name or an address. */
function trimmed(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v]));
}
