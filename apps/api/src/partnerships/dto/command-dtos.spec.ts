import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DECORATORS, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { STREAM_COMMAND_TYPES, type PartnershipCommandDataMap, type PartnershipCommandType } from '@trellis/domain';
import { ApprovalDto } from './approval.dto';
import { COMMAND_DTOS, ProposePartnershipDto } from './command-dtos';
import { VALID_COMMAND_EXAMPLES } from './command-examples';
import { validateCommandData, validateProposePartnership, type ValidationResult } from './command-validation';
import { ResearchQuestionDto } from './workstream.dto';

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** The `?` fields of every data interface, checked against the interfaces at compile time (both ways). */
const OPTIONAL_FIELDS = {
  ProposePartnership: ['types'],
  JoinOrganization: ['parentOrganizationId'],
  WithdrawOrganization: [],
  JoinParticipant: ['personId'],
  ChangeParticipantRoles: [],
  DepartParticipant: ['successorParticipantId'],
  FormalizePartnership: ['termEnd'],
  AmendAgreement: ['newTermEnd'],
  ExecuteDataSharingAgreement: ['noSurprisesReviewDays'],
  EndDataSharingAgreement: [],
  CertifyDataDisposal: [],
  ChangePartnershipStatus: [],
  RecordReflection: [],
  RecordBrokeringActivity: ['workstreamId'],
  ClosePartnership: ['successorPartnershipId'],
  AbandonPartnership: [],
  OpenWorkstream: ['parentWorkstreamId'],
  DefineProblemOfPractice: ['communityGoal'],
  ReframeProblemOfPractice: [],
  AgreeResearchAgenda: [],
  RecordEvidenceReview: [],
  CoDevelopTool: [],
  ApprovePilot: [],
  StartPilot: [],
  RecordStakeholderInput: ['toolId', 'toolVersion', 'convenedByParticipantId'],
  ReviseTool: ['answersFindingsIds'],
  ConcludePilot: [],
  ApproveFormalStudy: ['dsaIds', 'ethicsRef'],
  StartFormalStudy: [],
  RecordDataReceived: ['recipientOrganizationId'],
  SharePreliminaryFindings: [],
  InterpretFindingsJointly: [],
  RecordPracticePartnerReview: [],
  DisseminateFindings: [],
  RecordResearchUse: [],
  TransitionPhase: [],
} as const satisfies { [T in PartnershipCommandType]: readonly OptionalKeys<PartnershipCommandDataMap[T]>[] };
const _allOptionalFieldsListed: { [T in PartnershipCommandType]: true } = {} as {
  [T in PartnershipCommandType]: SameKeys<(typeof OPTIONAL_FIELDS)[T][number], OptionalKeys<PartnershipCommandDataMap[T]>>;
};
void _allOptionalFieldsListed;

/** Optional fields that cannot be left out alone: their partner then reports the pair. */
const PAIRED: Partial<Record<PartnershipCommandType, readonly string[]>> = { RecordStakeholderInput: ['toolId', 'toolVersion'] };

/**
 * Lists that may be empty: free-text lists of optional content, and lists whose emptiness a domain
 * rule refuses with 422 (PARTNERSHIP_NEEDS_TWO_SIDES, AGENDA_MUST_BE_MUTUAL, PILOT_NEEDS_SITES_APPROVALS_CONSENT,
 * REVISION_MUST_ANSWER_INPUT, STUDY_GATES, JOINT_INTERPRETATION_REQUIRES_PRACTICE). Every other list needs an item.
 */
const MAY_BE_EMPTY: Partial<Record<PartnershipCommandType, readonly string[]>> = {
  ProposePartnership: ['types'],
  FormalizePartnership: ['partyOrganizationIds'],
  RecordReflection: ['actionsAgreed'],
  AgreeResearchAgenda: ['agreedByParticipantIds'],
  ApprovePilot: ['siteOrganizationIds', 'approvals'],
  ReviseTool: ['answersInputIds', 'answersFindingsIds'],
  ApproveFormalStudy: ['questionIds', 'siteOrganizationIds', 'approvals', 'dsaIds'],
  InterpretFindingsJointly: ['attendeeParticipantIds', 'followUpQuestions', 'agreedImplications'],
};

const ALL_DTOS: ReadonlyArray<[PartnershipCommandType, new () => object]> = [
  ['ProposePartnership', ProposePartnershipDto],
  ...(Object.entries(COMMAND_DTOS) as Array<[PartnershipCommandType, new () => object]>),
];

const documentedProperties = (dto: new () => object): string[] =>
  ((Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, dto.prototype) as string[] | undefined) ?? []).map((p) => p.replace(/^:/, ''));

const validatedProperties = (dto: new () => object): string[] => [
  ...new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName)),
];

function validate(type: PartnershipCommandType, data: unknown): ValidationResult {
  return type === 'ProposePartnership' ? validateProposePartnership(data) : validateCommandData(type, data);
}

const fields = (result: ValidationResult): string[] => (result.ok ? [] : result.errors.map((e) => e.field));

/** A value of the wrong JSON type for a field whose valid example value is `value`. */
function wrongTypeFor(value: unknown): unknown {
  if (typeof value === 'string') return 42;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return 'true';
  if (Array.isArray(value)) return { 0: value[0] };
  if (typeof value === 'object' && value !== null) return [value];
  return {};
}

describe('COMMAND_DTOS', () => {
  it('has a DTO for every command sent to POST /partnerships/:id/commands, and nothing else', () => {
    expect(Object.keys(COMMAND_DTOS).sort()).toEqual([...STREAM_COMMAND_TYPES].sort());
  });

  it('names every DTO after its command', () => {
    for (const [type, dto] of ALL_DTOS) expect(dto.name).toBe(`${type}Dto`);
  });

  it.each([...ALL_DTOS, ['nested', ApprovalDto] as const, ['nested', ResearchQuestionDto] as const])(
    '%s: every validated property is documented for Swagger and vice versa',
    (_type, dto) => {
      const documented = documentedProperties(dto).sort();
      expect(documented.length).toBeGreaterThan(0);
      expect(documented).toEqual(validatedProperties(dto).sort());
    },
  );
});

describe.each(ALL_DTOS)('%s, field by field', (type, dto) => {
  const valid = VALID_COMMAND_EXAMPLES[type] as unknown as Record<string, unknown>;
  const optional: readonly string[] = OPTIONAL_FIELDS[type];
  const properties = documentedProperties(dto);

  it.each(properties)('%s is required exactly when the data interface says so', (property) => {
    const meta = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto.prototype, property) as { required?: boolean };
    expect(meta.required !== false).toBe(!optional.includes(property)); // ApiProperty leaves `required` unset (true)
    const { [property]: _left, ...without } = valid;
    const reported = fields(validate(type, without));
    if (optional.includes(property)) {
      expect(reported).not.toContain(`data.${property}`);
      if (!PAIRED[type]?.includes(property)) expect(reported).toEqual([]);
    } else {
      expect(reported).toContain(`data.${property}`);
    }
  });

  it.each(properties)('%s refuses a value of the wrong type', (property) => {
    expect(fields(validate(type, { ...valid, [property]: wrongTypeFor(valid[property]) }))).toContain(`data.${property}`);
  });

  it.each(properties)('%s refuses null', (property) => {
    expect(fields(validate(type, { ...valid, [property]: null }))).toContain(`data.${property}`);
  });

  const lists = properties.filter((p) => {
    const meta = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto.prototype, p) as Record<string, unknown>;
    return meta['type'] === 'array' || meta['isArray'] === true;
  });
  if (lists.length > 0) {
    it.each(lists)('%s may be empty only where listed', (property) => {
      const reported = fields(validate(type, { ...valid, [property]: [] }));
      if (MAY_BE_EMPTY[type]?.includes(property)) expect(reported).toEqual([]);
      else expect(reported).toEqual([`data.${property}`]);
    });
  }

  it('refuses an extra property', () => {
    expect(fields(validate(type, { ...valid, unexpected: 'x' }))).toEqual(['data.unexpected']);
  });
});

describe('the OpenAPI schemas of the DTOs', () => {
  let document: OpenAPIObject;

  beforeAll(async () => {
    @Module({})
    class EmptyModule {}
    const app = await NestFactory.create(EmptyModule, { logger: false });
    document = SwaggerModule.createDocument(app, new DocumentBuilder().build(), {
      extraModels: [ProposePartnershipDto, ...Object.values(COMMAND_DTOS)],
    });
    await app.close();
  });

  const schemaOf = (name: string) => document.components!.schemas![name] as { properties: Record<string, Record<string, unknown>>; required?: string[] };

  it.each(ALL_DTOS)('%s lists exactly its required fields', (type, dto) => {
    const schema = schemaOf(dto.name);
    const optional: readonly string[] = OPTIONAL_FIELDS[type];
    expect(Object.keys(schema.properties).sort()).toEqual(documentedProperties(dto).sort());
    expect((schema.required ?? []).sort()).toEqual(Object.keys(schema.properties).filter((p) => !optional.includes(p)).sort());
  });

  it('documents ratings as an explicit closed schema keyed by side, then by dimension', () => {
    const ratings = schemaOf('RecordReflectionDto').properties['ratings']!;
    expect(ratings).toMatchObject({ type: 'object', additionalProperties: false, minProperties: 1 });
    const sides = ratings['properties'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(sides)).toEqual(['research', 'practice', 'community', 'intermediary', 'funder']);
    expect(sides['practice']).toMatchObject({ type: 'object', additionalProperties: false, minProperties: 1 });
    expect((sides['practice']!['properties'] as Record<string, unknown>)['d5']).toEqual({ type: 'integer', minimum: 1, maximum: 5 });
  });

  it('documents respondent counts as a closed object of bounded integers', () => {
    const counts = schemaOf('RecordStakeholderInputDto').properties['respondentCounts']!;
    expect(counts).toMatchObject({ type: 'object', additionalProperties: false, minProperties: 1 });
    const keys = counts['properties'] as Record<string, unknown>;
    expect(keys['family_member']).toEqual({ type: 'integer', minimum: 0, maximum: 10_000_000 });
    expect(keys['school']).toEqual({ type: 'integer', minimum: 0, maximum: 10_000_000 });
  });

  it('documents ids, dates, nested lists and the successor UUID', () => {
    expect(schemaOf('JoinOrganizationDto').properties['organizationId']).toMatchObject({ type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$', maxLength: 100 });
    expect(schemaOf('ApprovePilotDto').properties['plannedEnd']).toMatchObject({ type: 'string', format: 'date' });
    expect(schemaOf('ApprovePilotDto').properties['approvals']).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/ApprovalDto' } });
    expect(schemaOf('AgreeResearchAgendaDto').properties['researchQuestions']).toMatchObject({ type: 'array', maxItems: 50, minItems: 1 });
    expect(schemaOf('ClosePartnershipDto').properties['successorPartnershipId']).toMatchObject({ type: 'string', format: 'uuid' });
    expect(schemaOf('ChangePartnershipStatusDto').properties['status']).toMatchObject({ enum: ['active', 'paused', 'transitioning'] });
  });
});
