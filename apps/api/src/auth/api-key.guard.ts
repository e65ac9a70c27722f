/**
 * Every route needs `Authorization: Bearer <api key>` (issue #2 §6) except those marked @Public().
 * The key is looked up on every request, so a revoked key stops working at once. Then, in this order:
 * the route's roles (403), and for keys bound to an organization the partnership scope (404 / 403,
 * see partnership-scope.ts) — one guard, so no route can be reached past one check but not the other.
 */
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { API_KEY_STORE, type ApiKeyRole, type ApiKeyStore } from '@trellis/platform';
import { ProblemException } from '../http/problem';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { PartnershipScope } from './partnership-scope';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    private readonly scope: PartnershipScope,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const req = context.switchToHttp().getRequest<Request>();
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
    if (!match) {
      throw new ProblemException(401, 'UNAUTHENTICATED', 'Authentication required', 'Send Authorization: Bearer <api key>', {}, { 'WWW-Authenticate': 'Bearer' });
    }
    const principal = await this.keys.authenticate(match[1]!);
    if (!principal) {
      throw new ProblemException(401, 'UNAUTHENTICATED', 'Authentication required', 'The API key is unknown or revoked', {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }
    req.principal = principal;

    const allowed = this.reflector.getAllAndOverride<ApiKeyRole[]>(ROLES_KEY, targets) ?? ['admin'];
    if (!allowed.includes(principal.role)) {
      throw new ProblemException(403, 'FORBIDDEN', 'Forbidden', `The ${principal.role} role may not ${req.method} ${req.route?.path ?? req.path}`);
    }
    await this.scope.enforce(req, principal);
    return true;
  }
}
