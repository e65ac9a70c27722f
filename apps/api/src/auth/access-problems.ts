/** Problem codes of access control (listed in the OpenAPI Problem schema next to the API's own). */
export const ACCESS_PROBLEM_CODES = {
  /** An organization-bound key writing to a partnership its organization withdrew from. */
  ORGANIZATION_WITHDRAWN: 403,
  /** A route about every partnership (GET /metrics) asked with an organization-bound key. */
  ORGANIZATION_BOUND_KEY: 403,
  API_KEY_NOT_FOUND: 404,
  /** Revoking the last active admin key would lock every admin out. */
  LAST_ADMIN_KEY: 409,
} as const;
