/**
 * Route access is declared next to each handler: `@Roles('admin', 'member')`. A route without a
 * declaration is admin-only (deny by default); `@Public()` routes need no key (health, OpenAPI).
 */
import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { ApiKeyRole, Principal } from '@trellis/platform';

export const ROLES_KEY = 'trellis:roles';
export const PUBLIC_KEY = 'trellis:public';

export const Roles = (...roles: ApiKeyRole[]) => SetMetadata(ROLES_KEY, roles);
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Who reads the partnership record. */
export const READERS: ApiKeyRole[] = ['admin', 'auditor', 'member'];
/** Who records partnership facts. */
export const WRITERS: ApiKeyRole[] = ['admin', 'member'];

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<Request>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
