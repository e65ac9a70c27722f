/** DI tokens of the platform's ports. */
export const SQL_CLIENT = Symbol('SQL_CLIENT');
export const API_KEY_STORE = Symbol('API_KEY_STORE');
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');
