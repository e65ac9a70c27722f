/** OpenAPI response schema of `GET /partnerships/:id/participation` (inline: the route's decorators carry it). */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ORG_TYPES, PARTNERSHIP_STATUSES, PHASES, PHASE_DIRECTIONS, ROLES, SIDES } from '@trellis/domain';
import { SIGNAL_CODES } from '@trellis/projections';

const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });
const phase: SchemaObject = { type: 'string', enum: [...PHASES] };
/** A count of people: a number from 5 up, or "<5". */
const peopleCount: SchemaObject = { oneOf: [{ type: 'integer', minimum: 5 }, { type: 'string', enum: ['<5'] }, { type: 'integer', enum: [0] }] };
const countsBy = (keys: readonly string[], value: SchemaObject, description: string): SchemaObject => ({
  type: 'object',
  description,
  properties: Object.fromEntries(keys.map((k) => [k, value])),
});
const rolesPresent = countsBy(ROLES, peopleCount, 'Distinct participants present, by role ("<5" under 5; a participant with two roles counts in both)');
const organizationTypes = countsBy(ORG_TYPES, { type: 'integer', minimum: 1 }, 'Distinct organizations taking part, by type (exact: organizations are not people)');
const sides = countsBy(SIDES, { type: 'integer', minimum: 1 }, 'Distinct organizations taking part, by side');
const respondents = countsBy([...ROLES, ...ORG_TYPES], peopleCount, 'Respondents to stakeholder input by role or organization type, summed over the inputs ("<5" under 5)');

const signal: SchemaObject = {
  type: 'object',
  properties: { code: { type: 'string', enum: ['PHASE_WITHOUT_PRACTICE', 'FAMILIES_COMMUNITY_ABSENT'] }, title: { type: 'string' }, details: { type: 'object' } },
};

const occurrence: SchemaObject = {
  type: 'object',
  properties: {
    phase,
    occurrence: { type: 'integer', minimum: 1, description: '1 for the workstream\'s first phase, +1 at every transition' },
    enteredAt: nullable(dateTime),
    leftAt: { ...nullable(dateTime), description: 'Null while the workstream is in it' },
    enteredBy: { type: 'string', enum: ['opened', ...PHASE_DIRECTIONS], description: 'opened (the first occurrence) or the direction of the transition into it' },
    fromPhase: nullable(phase),
    leftTo: nullable(phase),
    rolesPresent,
    participantsPresent: { ...peopleCount, description: 'Distinct participants present ("<5" under 5, 0 when none)' },
    organizationTypes,
    sides,
    respondents,
    stakeholderInputs: { type: 'integer' },
    events: { type: 'integer', description: 'Events recorded in it (transitions excluded)' },
    practicePresent: { type: 'boolean', description: 'A practitioner or a practice-side organization took part (in a collaborative: a community member or community-side organization)' },
    familiesOrCommunityPresent: { type: 'boolean', description: 'A family member, community member or community-side organization took part (respondents included)' },
    signals: { type: 'array', items: signal },
  },
};

/** A real answer: `GET /partnerships/22222222-…/participation` (the state-agency seed path). */
export const PARTICIPATION_VIEW_EXAMPLE = {
  partnershipId: '22222222-2222-4222-8222-222222222222',
  name: 'Statewide teacher retention alliance',
  status: 'paused',
  asOfPosition: '111',
  workstreams: [
    {
      workstreamId: 'ws-retention',
      title: 'Teacher retention strategies',
      parentWorkstreamId: null,
      status: 'open',
      currentPhase: 'formal_study',
      phases: [
        {
          phase: 'problem_framing',
          occurrence: 1,
          enteredAt: '2024-04-02T10:00:00.000Z',
          leftAt: '2024-05-01T10:00:00.000Z',
          enteredBy: 'opened',
          fromPhase: null,
          leftTo: 'evidence_review',
          rolesPresent: { researcher: '<5', practitioner: '<5', broker: '<5' },
          participantsPresent: '<5',
          organizationTypes: { SEA: 1, LEA: 1, research_organization: 1 },
          sides: { research: 1, practice: 2 },
          respondents: { practitioner: 31, LEA: 14 },
          stakeholderInputs: 1,
          events: 5,
          practicePresent: true,
          familiesOrCommunityPresent: false,
          signals: [],
        },
        {
          phase: 'evidence_review',
          occurrence: 2,
          enteredAt: '2024-05-01T10:00:00.000Z',
          leftAt: '2024-06-15T10:00:00.000Z',
          enteredBy: 'forward',
          fromPhase: 'problem_framing',
          leftTo: 'formal_study',
          rolesPresent: { researcher: '<5', practitioner: '<5' },
          participantsPresent: '<5',
          organizationTypes: { SEA: 1, LEA: 2, research_organization: 1 },
          sides: { research: 1, practice: 3 },
          respondents: {},
          stakeholderInputs: 0,
          events: 2,
          practicePresent: true,
          familiesOrCommunityPresent: false,
          signals: [],
        },
        {
          phase: 'formal_study',
          occurrence: 3,
          enteredAt: '2024-06-15T10:00:00.000Z',
          leftAt: null,
          enteredBy: 'forward',
          fromPhase: 'evidence_review',
          leftTo: null,
          rolesPresent: { practitioner: '<5', broker: '<5' },
          participantsPresent: '<5',
          organizationTypes: { SEA: 1 },
          sides: { practice: 1 },
          respondents: {},
          stakeholderInputs: 0,
          events: 2,
          practicePresent: true,
          familiesOrCommunityPresent: false,
          signals: [],
        },
      ],
    },
  ],
  partnershipTotals: {
    workstreams: 1,
    workstreamsConcluded: 0,
    phaseOccurrences: 3,
    rolesPresent: { researcher: '<5', practitioner: '<5', broker: '<5' },
    participantsPresent: '<5',
    organizationTypes: { SEA: 1, LEA: 2, research_organization: 1 },
    sides: { research: 1, practice: 3 },
    respondents: { practitioner: 31, LEA: 14 },
    stakeholderInputs: 1,
    signals: [],
  },
};

export const PARTICIPATION_VIEW_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['partnershipId', 'name', 'status', 'asOfPosition', 'workstreams', 'partnershipTotals'],
  properties: {
    partnershipId: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    status: { type: 'string', enum: [...PARTNERSHIP_STATUSES] },
    asOfPosition: { type: 'string', pattern: '^\\d+$', description: 'The position of the partnership\'s latest event in the read model' },
    workstreams: {
      type: 'array',
      description: 'In the order they were opened',
      items: {
        type: 'object',
        properties: {
          workstreamId: { type: 'string' },
          title: { type: 'string' },
          parentWorkstreamId: nullable({ type: 'string' }),
          status: { type: 'string', enum: ['open', 'concluded'] },
          currentPhase: { ...nullable(phase), description: 'Null once concluded' },
          phases: { type: 'array', items: occurrence, description: 'Every phase occurrence, in the order entered' },
        },
      },
    },
    partnershipTotals: {
      type: 'object',
      properties: {
        workstreams: { type: 'integer' },
        workstreamsConcluded: { type: 'integer' },
        phaseOccurrences: { type: 'integer' },
        rolesPresent: { ...rolesPresent, description: 'Distinct participants present in any phase, by role ("<5" under 5)' },
        participantsPresent: peopleCount,
        organizationTypes,
        sides,
        respondents,
        stakeholderInputs: { type: 'integer' },
        signals: {
          type: 'array',
          description: 'The ledger\'s signals by code: occurrences left without practice; families and community absent (1 when it holds)',
          items: { type: 'object', properties: { code: { type: 'string', enum: [...SIGNAL_CODES] }, title: { type: 'string' }, count: { type: 'integer', minimum: 1 } } },
        },
      },
    },
  },
  example: PARTICIPATION_VIEW_EXAMPLE,
};
