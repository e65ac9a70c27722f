/**
 * Validates a command's `data` against its DTO and reports every bad field by path
 * (`data.researchQuestions[1].questionId`, `data.ratings.practice.d7`). Pure: no Nest, no I/O.
 */
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { COMMAND_DTOS, ProposePartnershipDto, type StreamCommandType } from './command-dtos';
import { PATH_ISSUES, type PathIssue } from './validation.decorators';

export interface FieldError {
  /** JSON-path-like: `data.approvals[0].ref`, `data["odd key"]`. */
  field: string;
  messages: string[];
}

export type ValidationResult = { ok: true; value: object } | { ok: false; errors: FieldError[] };

const VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: true },
} as const;

/**
 * Keys that class-transformer silently drops (prototype-pollution guard), so whitelisting never sees
 * them; left alone they would reach the event through the returned value.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);
/** Far deeper than any command (data.ratings.side.dimension is 3); keeps recursion in class-transformer bounded. */
const MAX_DEPTH = 10;

const isStreamCommandType = (type: unknown): type is StreamCommandType => typeof type === 'string' && Object.hasOwn(COMMAND_DTOS, type);

/** Validates `data` of a command sent to `POST /partnerships/:id/commands`. */
export function validateCommandData(type: string, data: unknown): ValidationResult {
  if (!isStreamCommandType(type)) {
    return { ok: false, errors: [{ field: 'type', messages: [`type must be one of: ${Object.keys(COMMAND_DTOS).join(', ')}`] }] };
  }
  return validateAgainst(COMMAND_DTOS[type], data, 'data');
}

/**
 * Validates the ProposePartnership data (the body of `POST /partnerships`). Paths carry the same
 * `data.` prefix as command data; the HTTP layer reports them relative to the body.
 */
export function validateProposePartnership(body: unknown): ValidationResult {
  return validateAgainst(ProposePartnershipDto, body, 'data');
}

/** Validates `value` against a DTO class; `root` names the value in field paths. */
export function validateAgainst(dto: new () => object, value: unknown, root: string): ValidationResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, errors: [{ field: root, messages: [`${root} must be an object`] }] };
  }
  const errors = new FieldErrors();
  const { tooDeep } = checkShape(value, root, errors);
  if (!tooDeep) {
    const instance = plainToInstance(dto, value) as object;
    collect(validateSync(instance, VALIDATOR_OPTIONS), root, false, errors);
  }
  // Whitelisting refused anything the DTO does not declare, so the input itself is the validated value.
  return errors.isEmpty() ? { ok: true, value } : { ok: false, errors: errors.toArray() };
}

/** Appends a property or index to a path, the way JSON paths are usually written. */
export function appendPath(base: string, key: string, isIndex = false): string {
  if (isIndex) return `${base}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

class FieldErrors {
  private readonly byField = new Map<string, string[]>();
  add(field: string, message: string): void {
    const messages = this.byField.get(field);
    if (!messages) this.byField.set(field, [message]);
    else if (!messages.includes(message)) messages.push(message);
  }
  isEmpty(): boolean {
    return this.byField.size === 0;
  }
  toArray(): FieldError[] {
    return [...this.byField].map(([field, messages]) => ({ field, messages }));
  }
}

/** Flattens class-validator's error tree into one entry per path. */
function collect(validationErrors: readonly ValidationError[], base: string, parentIsArray: boolean, out: FieldErrors): void {
  for (const error of validationErrors) {
    const path = error.property === undefined ? base : appendPath(base, error.property, parentIsArray && /^\d+$/.test(error.property));
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      const explain = (error.contexts?.[constraint] as Record<string, unknown> | undefined)?.[PATH_ISSUES];
      if (typeof explain === 'function') {
        for (const issue of explain(error.value) as readonly PathIssue[]) {
          out.add(issue.path.reduce<string>((p, key) => appendPath(p, String(key), typeof key === 'number'), path), issue.message);
        }
      } else {
        out.add(path, message);
      }
    }
    if (error.children?.length) collect(error.children, path, Array.isArray(error.value), out);
  }
}

/**
 * Walks the raw input iteratively (no recursion, so no depth can overflow the stack): refuses keys
 * class-transformer would drop unseen, and input nested deeper than any command could be.
 */
function checkShape(value: object, root: string, out: FieldErrors): { tooDeep: boolean } {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > MAX_DEPTH) {
      out.add(path, `nesting deeper than ${MAX_DEPTH} levels is not accepted`);
      return { tooDeep: true };
    }
    if (Array.isArray(current)) {
      current.forEach((item, i) => stack.push({ value: item, path: appendPath(path, String(i), true), depth: depth + 1 }));
      continue;
    }
    for (const key of Object.keys(current)) {
      const keyPath = appendPath(path, key);
      if (FORBIDDEN_KEYS.has(key)) out.add(keyPath, `property ${key} should not exist`);
      else stack.push({ value: (current as Record<string, unknown>)[key], path: keyPath, depth: depth + 1 });
    }
  }
  return { tooDeep: false };
}
