/**
 * Composite class-validator decorators so every command DTO bounds its input the same way
 * (DESIGN.md §9: input limits everywhere). Limits are deliberately generous for real use and
 * small enough that nothing oversized reaches the event store.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
  isUUID,
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { CLIENT_ID_PATTERN, ISO_DATE_PATTERN } from '@trellis/domain';

export const LIMITS = {
  /** Names, titles, refs, short labels. */
  shortText: 200,
  /** Statements, purposes, summaries, reasons. */
  longText: 4000,
  /** Ordinary lists (participants, organizations, ids). */
  list: 100,
  /** Free-text lists (follow-up questions, implications, sources). */
  textList: 50,
  /** Research questions in one agenda. */
  questions: 50,
} as const;

const ID_MESSAGE = '$property must match [A-Za-z0-9_-]{1,100}';

/**
 * Optional means "may be left out", not "may be null": class-validator's `IsOptional` also skips
 * `null`, and since the validated body is what reaches the decider, a `null` would slip into events
 * typed `string | undefined`. A null optional field is refused like any other wrong type.
 */
function OptionalNotNull() {
  return applyDecorators(
    ValidateIf((_object: object, value: unknown) => value !== undefined),
    NotNull(),
  );
}

/** The OpenAPI property; an optional field may be absent, never null. */
function documented(schema: ApiPropertyOptions, optional: boolean | undefined): PropertyDecorator[] {
  return optional ? [OptionalNotNull(), ApiPropertyOptional(schema)] : [ApiProperty(schema)];
}

/** An array of `min`..`max` items (unique when asked). */
function boundedArray(min: number, max: number, unique: boolean): PropertyDecorator[] {
  return [IsArray(), ...(min > 0 ? [ArrayMinSize(min)] : []), ArrayMaxSize(max), ...(unique ? [ArrayUnique()] : [])];
}

const idSchema = (description?: string): ApiPropertyOptions => ({
  type: String,
  pattern: CLIENT_ID_PATTERN.source,
  maxLength: 100,
  description,
});

/** A client-chosen id (`[A-Za-z0-9_-]{1,100}`). */
export function IsClientId(options: { optional?: boolean; description?: string } = {}) {
  return applyDecorators(
    ...documented(idSchema(options.description), options.optional),
    IsString(),
    Matches(CLIENT_ID_PATTERN, { message: ID_MESSAGE }),
  );
}

/** A list of client-chosen ids, unique, bounded. */
export function IsClientIdList(options: { min?: number; max?: number; optional?: boolean; description?: string } = {}) {
  const min = options.min ?? 1;
  const max = options.max ?? LIMITS.list;
  const schema = {
    type: [String],
    minItems: min,
    maxItems: max,
    uniqueItems: true,
    items: { type: 'string', pattern: CLIENT_ID_PATTERN.source },
    description: options.description,
  } as unknown as ApiPropertyOptions;
  return applyDecorators(
    ...documented(schema, options.optional),
    ...boundedArray(min, max, true),
    IsString({ each: true }),
    Matches(CLIENT_ID_PATTERN, { each: true, message: `each value in ${ID_MESSAGE}` }),
  );
}

/** Non-empty bounded text. */
export function IsText(maxLength: number = LIMITS.shortText, options: { optional?: boolean; description?: string } = {}) {
  const schema = { type: String, minLength: 1, maxLength, description: options.description };
  return applyDecorators(
    ...documented(schema, options.optional),
    IsString(),
    IsNotEmpty(),
    MaxLength(maxLength),
    NotBlank(),
  );
}

/** A bounded list of non-empty bounded strings. */
export function IsTextList(
  options: { min?: number; max?: number; maxLength?: number; unique?: boolean; optional?: boolean; description?: string } = {},
) {
  const min = options.min ?? 0;
  const max = options.max ?? LIMITS.textList;
  const maxLength = options.maxLength ?? LIMITS.longText;
  const schema = {
    type: [String],
    minItems: min,
    maxItems: max,
    items: { type: 'string', minLength: 1, maxLength },
    ...(options.unique ? { uniqueItems: true } : {}),
    description: options.description,
  } as unknown as ApiPropertyOptions;
  return applyDecorators(
    ...documented(schema, options.optional),
    ...boundedArray(min, max, options.unique === true),
    IsString({ each: true }),
    IsNotEmpty({ each: true }),
    MaxLength(maxLength, { each: true }),
    NotBlank({ each: true }),
  );
}

/** One value of a closed vocabulary. */
export function IsOneOf(values: readonly string[], options: { optional?: boolean; description?: string } = {}) {
  const schema = { enum: [...values], type: String, description: options.description };
  return applyDecorators(
    ...documented(schema, options.optional),
    IsString(),
    IsIn([...values], { message: `$property must be one of: ${values.join(', ')}` }),
  );
}

/** A list of values of a closed vocabulary (unique, bounded). */
export function IsOneOfList(values: readonly string[], options: { min?: number; max?: number; optional?: boolean; description?: string } = {}) {
  const min = options.min ?? 1;
  const max = options.max ?? values.length;
  const schema = {
    type: 'array',
    items: { type: 'string', enum: [...values] },
    minItems: min,
    maxItems: max,
    uniqueItems: true,
    description: options.description,
  } as unknown as ApiPropertyOptions;
  return applyDecorators(
    ...documented(schema, options.optional),
    ...boundedArray(min, max, true),
    IsString({ each: true }),
    IsIn([...values], { each: true, message: `each value in $property must be one of: ${values.join(', ')}` }),
  );
}

/** A real calendar date `YYYY-MM-DD` (2024-02-30 is refused). */
export function IsIsoDate(options: { optional?: boolean; description?: string } = {}) {
  const schema = { type: String, format: 'date', example: '2026-09-01', description: options.description };
  return applyDecorators(
    ...documented(schema, options.optional),
    IsString(),
    CalendarDate(),
  );
}

export function IsBool(options: { optional?: boolean; description?: string } = {}) {
  const schema = { type: Boolean, description: options.description };
  return applyDecorators(...documented(schema, options.optional), IsBoolean());
}

export function IsBoundedInt(min: number, max: number, options: { optional?: boolean; description?: string } = {}) {
  const schema = { type: 'integer', minimum: min, maximum: max, description: options.description } as const;
  return applyDecorators(...documented(schema, options.optional), IsInt(), Min(min), Max(max));
}

// ---------------------------------------------------------------------------------------------
// Problems below a property. A custom constraint may offer `(value) => PathIssue[]` in its context
// under PATH_ISSUES, so that whoever flattens `ValidationError`s reports each problem at its own path
// (`data.ratings.practice.d7`, `data.approvals[1]`) instead of one summary message on the property.

/** One problem below the validated property; `path` is relative to it (numbers are array indexes). */
export interface PathIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export const PATH_ISSUES = 'pathIssues';
export type PathIssuesContext = { [PATH_ISSUES]: (value: unknown) => readonly PathIssue[] };

function issuesMessage(issues: readonly PathIssue[]): string {
  return issues.map((issue) => issue.message).join('; ');
}

// ---------------------------------------------------------------------------------------------

/** A nested object validated by its own DTO class. */
export function IsNested(cls: new () => object, options: { optional?: boolean; description?: string } = {}) {
  const schema = { type: cls, description: options.description };
  return applyDecorators(
    ...documented(schema, options.optional),
    // ValidateNested would validate the items of an array given here; IsObject refuses it.
    IsObject({ message: '$property must be an object' }),
    ValidateNested({ message: '$property must be an object' }),
    Type(() => cls),
  );
}

/** A bounded list of nested objects validated by their own DTO class. */
export function IsNestedList(cls: new () => object, options: { min?: number; max?: number; optional?: boolean; description?: string } = {}) {
  const min = options.min ?? 1;
  const max = options.max ?? LIMITS.list;
  const schema = { type: [cls], minItems: min, maxItems: max, description: options.description } as unknown as ApiPropertyOptions;
  return applyDecorators(
    ...documented(schema, options.optional),
    ...boundedArray(min, max, false),
    ValidateNested({ each: true, message: 'each item in $property must be an object' }),
    ItemsAreNotArrays(),
    Type(() => cls),
  );
}

/**
 * ValidateNested({each}) reports null and primitive items, but validates an array item's own items
 * as if they were the list's, so `[[{…}]]` would pass. This refuses array items, at their index.
 */
function ItemsAreNotArrays() {
  return (object: object, propertyName: string | symbol) => {
    const property = String(propertyName);
    const explain = (value: unknown): PathIssue[] =>
      Array.isArray(value)
        ? value.flatMap((item, i) => (Array.isArray(item) ? [{ path: [i], message: `each item in ${property} must be an object` }] : []))
        : [];
    const context: PathIssuesContext = { [PATH_ISSUES]: explain };
    registerDecorator({
      name: 'itemsAreNotArrays',
      target: object.constructor,
      propertyName: property,
      options: { context },
      validator: {
        validate: (value: unknown) => explain(value).length === 0,
        defaultMessage: (args: ValidationArguments) => issuesMessage(explain(args.value)),
      },
    });
  };
}

function CalendarDate(validationOptions?: ValidationOptions) {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: object.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be a calendar date YYYY-MM-DD', ...validationOptions },
      validator: { validate: (value: unknown) => isCalendarDate(value) },
    });
}

function NotNull(validationOptions?: ValidationOptions) {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'notNull',
      target: object.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must not be null (leave it out instead)', ...validationOptions },
      validator: { validate: (value: unknown) => value !== null },
    });
}

export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_DATE_PATTERN.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

function NotBlank(validationOptions?: ValidationOptions) {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'notBlank',
      target: object.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must not be blank', ...validationOptions },
      validator: { validate: (value: unknown) => typeof value !== 'string' || value.trim().length > 0 },
    });
}

/**
 * Cross-field: this date must be on or after the date in `otherProperty` (when both are present and
 * valid). Used for effectiveFrom ≤ expiresOn, plannedStart ≤ plannedEnd, …
 */
export function IsOnOrAfter(otherProperty: string, validationOptions?: ValidationOptions) {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isOnOrAfter',
      target: object.constructor,
      propertyName: String(propertyName),
      constraints: [otherProperty],
      options: { message: `$property must be on or after ${otherProperty}`, ...validationOptions },
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const other = (args.object as Record<string, unknown>)[args.constraints[0] as string];
          if (!isCalendarDate(value) || !isCalendarDate(other)) return true; // reported by their own checks
          return value >= other;
        },
      },
    });
}

/**
 * Cross-field: a property that may only be given together with `otherProperty` (both or neither).
 * Put it on both optional properties of the pair; each reports the one that is missing.
 */
export function IsPairedWith(otherProperty: string, validationOptions?: ValidationOptions) {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isPairedWith',
      target: object.constructor,
      propertyName: String(propertyName),
      constraints: [otherProperty],
      options: { message: `$property must be given together with ${otherProperty} (both or neither)`, ...validationOptions },
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const other = (args.object as Record<string, unknown>)[args.constraints[0] as string];
          return value === undefined || other !== undefined;
        },
      },
    });
}

/**
 * Cross-field: the property is required when `otherProperty` holds one of `values` and must be left
 * out otherwise. Runs even when the property is absent (do not combine with an optional decorator).
 */
export function PresentOnlyWhen(otherProperty: string, values: readonly string[], validationOptions?: ValidationOptions) {
  const listed = values.join(' or ');
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'presentOnlyWhen',
      target: object.constructor,
      propertyName: String(propertyName),
      constraints: [otherProperty, values],
      options: validationOptions,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const expected = values.includes((args.object as Record<string, unknown>)[otherProperty] as string);
          return expected ? value !== undefined : value === undefined;
        },
        defaultMessage(args: ValidationArguments) {
          const expected = values.includes((args.object as Record<string, unknown>)[otherProperty] as string);
          return expected
            ? `$property is required when ${otherProperty} is ${listed}`
            : `$property must be left out unless ${otherProperty} is ${listed}`;
        },
      },
    });
}

/**
 * A UUID (any RFC 9562 version) that is required when `otherProperty` holds one of `values` and
 * refused otherwise — e.g. the successor partnership of a closure by succession or merger.
 */
export function IsUuidWhen(otherProperty: string, values: readonly string[], options: { description?: string } = {}) {
  const description = [options.description, `Required when ${otherProperty} is ${values.join(' or ')}; left out otherwise.`]
    .filter(Boolean)
    .join(' ');
  return applyDecorators(
    ApiPropertyOptional({ type: String, format: 'uuid', description }),
    ValidateIf((object: object, value: unknown) => value !== undefined || values.includes((object as Record<string, unknown>)[otherProperty] as string)),
    PresentOnlyWhen(otherProperty, values),
    // Absence is reported by PresentOnlyWhen alone; this only judges a value that was given.
    UuidIfGiven(),
  );
}

function UuidIfGiven(validationOptions?: ValidationOptions) {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isUuid',
      target: object.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be a UUID', ...validationOptions },
      validator: { validate: (value: unknown) => value === undefined || (typeof value === 'string' && isUUID(value)) },
    });
}

// ---------------------------------------------------------------------------------------------
// Keyed records: objects whose keys come from a closed vocabulary (ratings by side and dimension,
// respondent counts by role or organization type).

/** Integer values in a range. */
export interface IntRange {
  readonly min: number;
  readonly max: number;
}

export interface KeyedRecordSpec {
  /** The allowed keys; any other key is refused by name. */
  readonly keys: readonly string[];
  /** What a key is, for messages and the schema ("side", "dimension"). */
  readonly keyName: string;
  /** Least number of allowed keys that must be present. */
  readonly minKeys: number;
  /** Each value: an integer range, or a keyed record in turn. */
  readonly value: IntRange | KeyedRecordSpec;
}

const isKeyedRecordSpec = (value: IntRange | KeyedRecordSpec): value is KeyedRecordSpec => 'keys' in value;
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every problem in `value` against `spec`; `label` names the value in messages. */
export function keyedRecordIssues(value: unknown, spec: KeyedRecordSpec, label: string, path: readonly string[] = []): PathIssue[] {
  if (!isPlainObject(value)) return [{ path, message: `${label} must be an object keyed by ${spec.keyName}` }];
  const issues: PathIssue[] = [];
  let known = 0;
  for (const key of Object.keys(value)) {
    const keyPath = [...path, key];
    if (!spec.keys.includes(key)) {
      issues.push({ path: keyPath, message: `property ${key} should not exist: ${spec.keyName} must be one of ${spec.keys.join(', ')}` });
      continue;
    }
    known++;
    const item = value[key];
    const itemLabel = `${label}.${key}`;
    if (isKeyedRecordSpec(spec.value)) {
      issues.push(...keyedRecordIssues(item, spec.value, itemLabel, keyPath));
    } else if (!Number.isInteger(item) || (item as number) < spec.value.min || (item as number) > spec.value.max) {
      issues.push({ path: keyPath, message: `${itemLabel} must be an integer from ${spec.value.min} to ${spec.value.max}` });
    }
  }
  if (known < spec.minKeys) {
    issues.push({ path, message: `${label} must have at least ${spec.minKeys} ${spec.keyName} (${spec.keys.join(', ')})` });
  }
  return issues;
}

/** The JSON Schema of a keyed record: closed properties, integer leaves. */
export function keyedRecordSchema(spec: KeyedRecordSpec): Record<string, unknown> {
  const valueSchema = isKeyedRecordSpec(spec.value)
    ? keyedRecordSchema(spec.value)
    : { type: 'integer', minimum: spec.value.min, maximum: spec.value.max };
  return {
    type: 'object',
    properties: Object.fromEntries(spec.keys.map((key) => [key, valueSchema])),
    additionalProperties: false,
    minProperties: spec.minKeys,
  };
}

/** An object keyed by a closed vocabulary (possibly nested), documented with an explicit schema. */
export function IsKeyedRecord(spec: KeyedRecordSpec, options: { optional?: boolean; description?: string; example?: unknown } = {}) {
  const schema = {
    ...keyedRecordSchema(spec),
    description: options.description,
    ...(options.example === undefined ? {} : { example: options.example }),
  } as unknown as ApiPropertyOptions;
  return applyDecorators(
    ...documented(schema, options.optional),
    KeyedRecord(spec),
  );
}

function KeyedRecord(spec: KeyedRecordSpec) {
  return (object: object, propertyName: string | symbol) => {
    const property = String(propertyName);
    const explain = (value: unknown) => keyedRecordIssues(value, spec, property);
    const context: PathIssuesContext = { [PATH_ISSUES]: explain };
    registerDecorator({
      name: 'isKeyedRecord',
      target: object.constructor,
      propertyName: property,
      constraints: [spec],
      options: { context },
      validator: {
        validate: (value: unknown) => explain(value).length === 0,
        // For consumers that do not expand PATH_ISSUES: every problem in one message.
        defaultMessage: (args: ValidationArguments) => issuesMessage(explain(args.value)),
      },
    });
  };
}
