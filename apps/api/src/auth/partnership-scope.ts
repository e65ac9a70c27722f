/**
 * Organization scoping of the partnership routes (DESIGN.md §9), applied once for every route whose
 * path starts with `/partnerships/:id` — state, history, verify, timeline (and its HTML page),
 * participation, effectiveness, agreements, brokers, reminders and commands, and any such route added
 * later — by the ApiKeyGuard after it has authenticated the key and checked its role.
 *
 * A key bound to an organization:
 * - reads a partnership its organization is or was a member of; any other answers 404 exactly like an
 *   unknown partnership (so ids of other organizations' partnerships do not leak);
 * - writes only to partnerships its organization currently belongs to; a withdrawn organization gets
 *   403 ORGANIZATION_WITHDRAWN (it can read the partnership, so the id is no secret to it).
 * Unbound keys are not looked at: no query, no lookup.
 */
import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { PartnershipNotFound } from '@trellis/domain';
import type { Principal } from '@trellis/platform';
import { ProblemException } from '../http/problem';
import { isUuid } from '../http/request-parsing';
import { OrganizationMembership } from './organization-membership';

const PARTNERSHIP_ROUTE = /^\/partnerships\/:id(?:[/.]|$)/;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

@Injectable()
export class PartnershipScope {
  constructor(private readonly membership: OrganizationMembership) {}

  /** The partnership id a request addresses, or undefined when the route is not partnership-scoped. */
  static partnershipIdOf(req: Request): string | undefined {
    const path = typeof req.route?.path === 'string' ? req.route.path : undefined;
    if (!path || !PARTNERSHIP_ROUTE.test(path)) return undefined;
    const id = req.params?.['id'];
    return typeof id === 'string' ? id : undefined;
  }

  /** Throws 404 / 403 when an organization-bound principal may not use this partnership route. */
  async enforce(req: Request, principal: Principal): Promise<void> {
    const organizationId = principal.organizationId;
    if (organizationId === undefined) return;
    const id = PartnershipScope.partnershipIdOf(req);
    // A malformed id is the controller's 400; it names no partnership, so nothing can leak.
    if (id === undefined || !isUuid(id)) return;
    const write = !READ_METHODS.has(req.method.toUpperCase());
    const status = await this.membership.status(organizationId, id, write ? 'write' : 'read');
    if (status === 'none') throw new PartnershipNotFound(`Partnership ${id.toLowerCase()} does not exist`);
    if (status === 'former' && write) {
      throw new ProblemException(
        403,
        'ORGANIZATION_WITHDRAWN',
        'Forbidden',
        `Organization ${organizationId} withdrew from partnership ${id.toLowerCase()}: its keys may read the partnership but no longer record facts in it`,
      );
    }
  }
}
