/**
 * Input limits everywhere (DESIGN.md §9): every property of every request DTO, nested ones included,
 * is bounded — strings by a length, a closed vocabulary, a bounded pattern or a format; arrays by a
 * maximum size. A new field without a bound fails here, naming it. (Nesting depth and object sizes of
 * any JSON body are bounded before validation, by json-safety.ts.)
 */
import 'reflect-metadata';
import { IsArray, IsString, getMetadataStorage } from 'class-validator';
import { COMMAND_DTOS, ProposePartnershipDto } from '../partnerships/dto/command-dtos';
import { CreateSubscriptionDto, PauseSubscriptionDto, ReplayDto } from '../subscriptions/subscription.dto';
import { CreateApiKeyDto } from '../admin/api-keys.dto';
import { ErasePersonDto, RegisterPersonDto } from '../people/people.dto';

type Ctor = new () => object;
interface ConstraintMeta {
  readonly propertyName: string;
  readonly name?: string;
  readonly type: string;
  readonly constraints?: unknown[];
}

/** Checked outside class-validator: `fromPosition` is parsed by the controller (a string or a number of at most 19 digits). */
const CHECKED_ELSEWHERE = new Set(['ReplayDto.fromPosition']);

/** Constraints that bound a value's size by themselves. */
const BOUNDING = new Set(['maxLength', 'isLength', 'isIn', 'isUuid', 'isCalendarDate', 'isKeyedRecord', 'isHttpUrl', 'isInt', 'isBoolean', 'isEnum', 'max']);

const isBoundedPattern = (pattern: unknown) => pattern instanceof RegExp && /^\^/.test(pattern.source) && /\$$/.test(pattern.source) && !/[*+]|\{\d+,\}/.test(pattern.source);

function constraintsOf(cls: Ctor): Map<string, ConstraintMeta[]> {
  const metas = (getMetadataStorage() as unknown as { getTargetValidationMetadatas(t: Ctor, s: string, a: boolean, b: boolean): ConstraintMeta[] }).getTargetValidationMetadatas(cls, '', true, false);
  const byProperty = new Map<string, ConstraintMeta[]>();
  for (const m of metas) byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  return byProperty;
}

/** Where class-transformer keeps the `@Type(() => Nested)` targets (not in its typed entry point). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: { _typeMetadatas: Map<Ctor, Map<string, { typeFunction: () => Ctor }>> } };

function nestedClasses(cls: Ctor): Ctor[] {
  const types = defaultMetadataStorage._typeMetadatas.get(cls);
  return [...(types?.values() ?? [])].map((t) => t.typeFunction());
}

function unboundedProperties(roots: readonly Ctor[]): { audited: number; gaps: string[] } {
  const seen = new Set<Ctor>();
  const queue = [...roots];
  const gaps: string[] = [];
  while (queue.length > 0) {
    const cls = queue.shift()!;
    if (seen.has(cls)) continue;
    seen.add(cls);
    queue.push(...nestedClasses(cls));
    for (const [property, metas] of constraintsOf(cls)) {
      const name = `${cls.name}.${property}`;
      if (CHECKED_ELSEWHERE.has(name)) continue;
      const names = metas.map((m) => m.name ?? m.type);
      const isArray = names.includes('isArray');
      if (isArray && !names.includes('arrayMaxSize')) gaps.push(`${name}: an array without ArrayMaxSize`);
      const nested = names.includes('nestedValidation');
      const boundedValue = nested || names.some((n) => BOUNDING.has(n)) || metas.some((m) => m.name === 'matches' && isBoundedPattern(m.constraints?.[0]));
      if (!boundedValue) gaps.push(`${name}: no length, vocabulary, bounded pattern or format (${names.join(', ')})`);
    }
  }
  return { audited: seen.size, gaps };
}

describe('request DTOs', () => {
  it('bound every string and array, nested DTOs included', () => {
    const { audited, gaps } = unboundedProperties([ProposePartnershipDto, ...Object.values(COMMAND_DTOS), CreateSubscriptionDto, PauseSubscriptionDto, ReplayDto, CreateApiKeyDto, RegisterPersonDto, ErasePersonDto]);
    expect(gaps).toEqual([]);
    expect(audited).toBeGreaterThan(Object.keys(COMMAND_DTOS).length);
  });

  it('would notice an unbounded field', () => {
    class Loose {
      @IsString() text!: string;
      @IsArray() @IsString({ each: true }) list!: string[];
    }
    expect(unboundedProperties([Loose]).gaps).toEqual([
      expect.stringContaining('Loose.text: no length'),
      'Loose.list: an array without ArrayMaxSize',
      expect.stringContaining('Loose.list: no length'),
    ]);
  });
});
