/**
 * `JoinParticipant` may reference a person of the vault (`data.personId`): refused at command time
 * when the vault does not know that person — or the key's organization may not see them — (422
 * UNKNOWN_REFERENCE), or when the person was erased (422 PERSON_ERASED). Nothing is appended then.
 *
 * An interceptor declared on `POST /partnerships/:id/commands` (`@UseInterceptors`; it runs after
 * authentication and role checks, before the handler) so that the command pipeline stays generic and
 * knows no vault. A malformed
 * command is left to the handler's own 400, and a command for an unknown partnership to its 404.
 */
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { partnershipStreamId, RuleViolation } from '@trellis/domain';
import { EVENT_STORE, type EventStore } from '@trellis/event-store';
import { PEOPLE_VAULT, type PeopleVault } from '@trellis/platform';
import { ProblemException } from '../http/problem';
import { isUuid } from '../http/request-parsing';
import { parseCommandRequest } from '../partnerships/command-request';
import { visibleTo } from './people.controller';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

@Injectable()
export class PersonReferencesInterceptor implements NestInterceptor {
  constructor(
    @Inject(PEOPLE_VAULT) private readonly vault: PeopleVault,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() === 'http') await this.check(context.switchToHttp().getRequest<Request>());
    return next.handle();
  }

  private async check(req: Request): Promise<void> {
    const body: unknown = req.body;
    if (!isObject(body) || body['type'] !== 'JoinParticipant' || !isObject(body['data']) || body['data']['personId'] === undefined) return;
    const partnershipId = req.params['id'];
    if (!isUuid(partnershipId)) return; // the handler answers 400 INVALID_ID
    const { data } = parseCommandRequest(body); // throws the handler's own 400 for a malformed command
    const personId = (data as { personId?: string }).personId;
    if (personId === undefined) return;
    if (!(await this.store.streamHead(partnershipStreamId(partnershipId.toLowerCase())))) return; // the handler answers 404

    const person = await this.vault.find(personId);
    if (!person || !req.principal || !visibleTo(person, req.principal)) {
      throw new RuleViolation('UNKNOWN_REFERENCE', `personId ${personId} is not a person of the people vault (register one with POST /people)`, {
        reference: { field: 'personId', id: personId },
      });
    }
    if (person.status === 'erased') {
      throw new ProblemException(422, 'PERSON_ERASED', 'The command was refused', `Person ${person.personId} was erased on ${person.erasedAt}; an erased person cannot join`, {
        details: { reference: { field: 'personId', id: personId } },
      });
    }
  }
}
