/** OpenAPI response schema of `GET /partnerships/:id/timeline` (inline: the route's decorators carry it). */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { SIGNAL_COUNT_SCHEMA } from '../../openapi/signal.schemas';
import { DISPLAY_NAME_SCHEMA } from '../../people/people.openapi';
import { ORG_TYPES, PARTNERSHIP_EVENT_TYPES, PARTNERSHIP_STATUSES, PHASES, PHASE_DIRECTIONS, ROLES, SIDES } from '@trellis/domain';
import { SIGNAL_CODES } from '@trellis/projections';

const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
const position: SchemaObject = { type: 'string', pattern: '^\\d+$', description: 'Decimal string (may exceed 2^53)' };
const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });
const phase: SchemaObject = { type: 'string', enum: [...PHASES] };
const roles: SchemaObject = { type: 'array', items: { type: 'string', enum: [...ROLES] } };
const organizationType = nullable({ type: 'string', enum: [...ORG_TYPES] });
const side = nullable({ type: 'string', enum: [...SIDES] });
const capacities = (values: readonly string[], description: string): SchemaObject => ({ type: 'array', items: { type: 'string', enum: [...values] }, description });

const PARTICIPANT_CAPACITIES = ['joined', 'roles_changed', 'departed', 'successor', 'co_lead', 'certifier', 'broker', 'lead', 'proposer', 'agreed_by', 'contributor', 'co_designer', 'convener', 'reviser', 'attendee'];
const ORGANIZATION_CAPACITIES = ['joined', 'parent', 'withdrew', 'member_of', 'party', 'provider', 'recipient', 'brokered_from', 'brokered_to', 'site', 'approver', 'shared_with', 'reviewer', 'decider'];

const signal: SchemaObject = {
  type: 'object',
  required: ['code', 'title', 'phase', 'subjects', 'details'],
  properties: {
    code: { type: 'string', enum: [...SIGNAL_CODES] },
    title: { type: 'string' },
    phase: { ...nullable(phase), description: 'The phase the workstream was in (for a transition: the phase it left)' },
    subjects: { type: 'object', description: 'Ids of what the signal is about (problemId, inputId, toolId, findingsId, organizationId, participantId)' },
    details: { type: 'object', description: 'The figures behind it (for PHASE_WITHOUT_PRACTICE: who was present in the phase left)' },
  },
};

const event: SchemaObject = {
  type: 'object',
  required: [
    'position', 'revision', 'eventId', 'type', 'workstreamId', 'occurredAt', 'recordedAt', 'backDated', 'recorder', 'participants',
    'organizations', 'phase', 'phaseOccurrence', 'transition', 'corrects', 'correctedBy', 'summary', 'signals',
  ],
  properties: {
    position,
    revision: { type: 'string', pattern: '^\\d+$', description: 'Revision in the partnership stream (from 0)' },
    eventId: { type: 'string', format: 'uuid' },
    type: { type: 'string', enum: [...PARTNERSHIP_EVENT_TYPES] },
    workstreamId: nullable({ type: 'string' }),
    occurredAt: dateTime,
    recordedAt: dateTime,
    backDated: { type: 'boolean', description: 'Recorded more than one hour after it occurred' },
    recorder: {
      type: 'object',
      description: 'Who recorded it (metadata.recordedBy): the API key, the participant with the roles they held just before the event, and the organization they acted for (the participant\'s, else the key\'s)',
      properties: {
        apiKeyId: nullable({ type: 'string' }),
        participantId: nullable({ type: 'string', description: 'Pseudonymous id' }),
        roles,
        organizationId: nullable({ type: 'string' }),
        organizationType,
        side,
      },
    },
    participants: {
      type: 'array',
      description: 'Participants the event names, once each, with every capacity; roles as they were at the time (after a join or a role change, before a departure)',
      items: {
        type: 'object',
        properties: {
          participantId: { type: 'string', description: 'Pseudonymous id (never a name)' },
          displayName: DISPLAY_NAME_SCHEMA,
          as: capacities(PARTICIPANT_CAPACITIES, 'In which capacity the event names them'),
          roles,
          organizationId: nullable({ type: 'string' }),
          organizationType,
          side,
        },
      },
    },
    organizations: {
      type: 'array',
      description: 'Organizations the event names (members, parties, DSA parties, sites, approvers, reviewers, deciders, …)',
      items: {
        type: 'object',
        properties: { organizationId: { type: 'string' }, as: capacities(ORGANIZATION_CAPACITIES, 'In which capacity'), organizationType, side },
      },
    },
    phase: { ...nullable(phase), description: 'The phase of the event\'s workstream when it was recorded (for a transition: the phase it left); null without a workstream' },
    phaseOccurrence: nullable({ type: 'integer', minimum: 1, description: 'Which occurrence of that phase (1 for the workstream\'s first phase, +1 at every transition)' }),
    transition: {
      type: 'object',
      nullable: true,
      description: 'For PhaseTransitioned',
      properties: {
        fromPhase: nullable(phase),
        toPhase: nullable(phase),
        direction: nullable({ type: 'string', enum: [...PHASE_DIRECTIONS] }),
        reason: nullable({ type: 'string', description: 'Explicit moves (TransitionPhase) give one' }),
        triggerEventId: nullable({ type: 'string', description: 'Automatic forward moves name their gate event' }),
      },
    },
    corrects: nullable({ type: 'string', description: 'The earlier event this one corrects (metadata.corrects)' }),
    correctedBy: { type: 'array', items: { type: 'string' }, description: 'Later events that correct this one' },
    summary: { type: 'string', description: 'One line from ids, vocabulary, dates and counts — never free text or names' },
    signals: { type: 'array', items: signal, description: 'The signals this event raised' },
  },
};

const explained: SchemaObject = {
  type: 'object',
  properties: {
    position,
    eventId: { type: 'string' },
    workstreamId: nullable({ type: 'string' }),
    occurredAt: dateTime,
    recordedAt: dateTime,
    fromPhase: nullable(phase),
    toPhase: nullable(phase),
    direction: { type: 'string', enum: ['backward', 'skip'] },
    reason: nullable({ type: 'string' }),
  },
};

const organizationRef: SchemaObject = {
  type: 'object',
  properties: { organizationId: { type: 'string' }, name: nullable({ type: 'string' }), side: nullable({ type: 'string' }), orgType: nullable({ type: 'string' }) },
};

const ledgerEntry: SchemaObject = {
  type: 'object',
  description: 'After the FERPA record of disclosures (34 CFR 99.32): parties, legal basis, purpose, data, and what happened',
  properties: {
    on: { type: 'string', format: 'date' },
    kind: { type: 'string', enum: ['agreement_executed', 'data_received', 'agreement_ended', 'disposal_certified'] },
    dsaId: { type: 'string' },
    provider: organizationRef,
    recipients: { type: 'array', items: organizationRef },
    legalBasis: { type: 'string' },
    purpose: { type: 'string' },
    dataCategories: { type: 'array', items: { type: 'string' } },
    piiIncluded: { type: 'boolean' },
    transferId: { type: 'string' },
    workstreamId: { type: 'string' },
    endKind: { type: 'string' },
    destructionDueBy: { type: 'string', format: 'date' },
    disposalMethod: { type: 'string' },
    certifiedByParticipantId: { type: 'string' },
    recordedAt: { ...dateTime, description: 'When recorded, if later than it happened' },
  },
};

/** A real answer: `GET /partnerships/11111111-…/timeline?workstreamId=ws-coaching` (ledger cut to two entries). */
export const TIMELINE_VIEW_EXAMPLE = {
  partnershipId: '11111111-1111-4111-8111-111111111111',
  name: 'Valley–WestLab partnership',
  status: 'active',
  asOfPosition: '135',
  totalEvents: 56,
  events: [
    {
      position: '130',
      revision: '50',
      eventId: '00000000-0000-7000-8000-0000000001c1',
      type: 'WorkstreamOpened',
      workstreamId: 'ws-coaching',
      occurredAt: '2025-10-06T10:00:00.000Z',
      recordedAt: '2025-10-06T10:00:00.000Z',
      backDated: false,
      recorder: { apiKeyId: 'key-test', participantId: null, roles: [], organizationId: null, organizationType: null, side: null },
      participants: [
        {
          participantId: 'p-dist-lead',
          as: ['lead'],
          roles: ['practitioner'],
          organizationId: 'org-valley-usd',
          organizationType: 'school_district',
          side: 'practice',
        },
        {
          participantId: 'p-lab-lead',
          as: ['lead'],
          roles: ['researcher'],
          organizationId: 'org-westlab',
          organizationType: 'research_organization',
          side: 'research',
        },
      ],
      organizations: [],
      phase: 'problem_framing',
      phaseOccurrence: 1,
      transition: null,
      corrects: null,
      correctedBy: [],
      summary: 'Workstream ws-coaching opened with 2 leads',
      signals: [],
    },
    {
      position: '131',
      revision: '51',
      eventId: '00000000-0000-7000-8000-0000000001c5',
      type: 'ProblemOfPracticeDefined',
      workstreamId: 'ws-coaching',
      occurredAt: '2025-10-08T10:00:00.000Z',
      recordedAt: '2025-10-08T10:00:00.000Z',
      backDated: false,
      recorder: { apiKeyId: 'key-test', participantId: null, roles: [], organizationId: null, organizationType: null, side: null },
      participants: [
        {
          participantId: 'p-county-staff',
          as: ['proposer'],
          roles: ['practitioner'],
          organizationId: 'org-valley-coe',
          organizationType: 'county_office',
          side: 'practice',
        },
      ],
      organizations: [],
      phase: 'problem_framing',
      phaseOccurrence: 1,
      transition: null,
      corrects: null,
      correctedBy: [],
      summary: 'Problem of practice prob-coaching defined, proposed by 1 participant',
      signals: [],
    },
    {
      position: '133',
      revision: '53',
      eventId: '00000000-0000-7000-8000-0000000001cd',
      type: 'PhaseTransitioned',
      workstreamId: 'ws-coaching',
      occurredAt: '2025-10-20T10:00:00.000Z',
      recordedAt: '2025-10-20T10:00:00.000Z',
      backDated: false,
      recorder: {
        apiKeyId: 'key-test',
        participantId: 'p-dist-lead',
        roles: ['practitioner'],
        organizationId: 'org-valley-usd',
        organizationType: 'school_district',
        side: 'practice',
      },
      participants: [],
      organizations: [],
      phase: 'problem_framing',
      phaseOccurrence: 1,
      transition: {
        fromPhase: 'problem_framing',
        toPhase: 'co_design',
        direction: 'skip',
        reason: 'The county already has a coaching protocol to adapt',
        triggerEventId: null,
      },
      corrects: null,
      correctedBy: [],
      summary: 'Workstream ws-coaching skipped from problem_framing to co_design',
      signals: [
        {
          code: 'PHASE_SKIPPED_EVIDENCE_REVIEW',
          title: 'Co-design entered without an evidence review',
          phase: 'problem_framing',
          subjects: {},
          details: { toPhase: 'co_design' },
        },
      ],
    },
    {
      position: '134',
      revision: '54',
      eventId: '00000000-0000-7000-8000-0000000001d1',
      type: 'PhaseTransitioned',
      workstreamId: 'ws-coaching',
      occurredAt: '2025-10-24T10:00:00.000Z',
      recordedAt: '2025-10-27T10:00:00.000Z',
      backDated: true,
      recorder: {
        apiKeyId: 'key-test',
        participantId: 'p-lab-lead',
        roles: ['researcher'],
        organizationId: 'org-westlab',
        organizationType: 'research_organization',
        side: 'research',
      },
      participants: [],
      organizations: [],
      phase: 'co_design',
      phaseOccurrence: 2,
      transition: { fromPhase: 'co_design', toPhase: 'problem_framing', direction: 'backward', reason: 'Coaches were not consulted', triggerEventId: null },
      corrects: null,
      correctedBy: [],
      summary: 'Workstream ws-coaching moved back from co_design to problem_framing',
      signals: [
        {
          code: 'PHASE_WITHOUT_PRACTICE',
          title: 'A phase with no practitioner present',
          phase: 'co_design',
          subjects: {},
          details: { toPhase: 'problem_framing', collaborative: false, rolesPresent: ['researcher'], sidesPresent: ['research'] },
        },
      ],
    },
  ],
  nextAfterPosition: null,
  backwardTransitions: [
    {
      position: '134',
      eventId: '00000000-0000-7000-8000-0000000001d1',
      workstreamId: 'ws-coaching',
      occurredAt: '2025-10-24T10:00:00.000Z',
      recordedAt: '2025-10-27T10:00:00.000Z',
      fromPhase: 'co_design',
      toPhase: 'problem_framing',
      direction: 'backward',
      reason: 'Coaches were not consulted',
    },
  ],
  skips: [
    {
      position: '133',
      eventId: '00000000-0000-7000-8000-0000000001cd',
      workstreamId: 'ws-coaching',
      occurredAt: '2025-10-20T10:00:00.000Z',
      recordedAt: '2025-10-20T10:00:00.000Z',
      fromPhase: 'problem_framing',
      toPhase: 'co_design',
      direction: 'skip',
      reason: 'The county already has a coaching protocol to adapt',
    },
  ],
  signals: {
    raised: [
      { code: 'PHASE_WITHOUT_PRACTICE', title: 'A phase with no practitioner present', count: 1 },
      { code: 'SINGLE_POINT_OF_CONTACT', title: 'Single point of contact in an organization', count: 1 },
      { code: 'PHASE_SKIPPED_EVIDENCE_REVIEW', title: 'Co-design entered without an evidence review', count: 1 },
    ],
  },
  disclosureLedger: [
    {
      dsaId: 'dsa-valley-2024',
      provider: { organizationId: 'org-valley-usd', name: 'Valley USD', side: 'practice', orgType: 'school_district' },
      legalBasis: 'ferpa_studies_exception',
      purpose: 'Evaluate whether the routines toolkit works in practice',
      on: '2025-03-01',
      kind: 'agreement_executed',
      recipients: [{ organizationId: 'org-westlab', name: 'WestLab', side: 'research', orgType: 'research_organization' }],
      dataCategories: ['attendance', 'engagement_survey'],
      piiIncluded: true,
    },
    {
      dsaId: 'dsa-valley-2024',
      provider: { organizationId: 'org-valley-usd', name: 'Valley USD', side: 'practice', orgType: 'school_district' },
      legalBasis: 'ferpa_studies_exception',
      purpose: 'Evaluate whether the routines toolkit works in practice',
      on: '2025-04-01',
      kind: 'data_received',
      recipients: [{ organizationId: 'org-westlab', name: 'WestLab', side: 'research', orgType: 'research_organization' }],
      dataCategories: ['attendance'],
      piiIncluded: true,
      transferId: 'xfer-1',
      workstreamId: 'ws-routines',
    },
  ],
};

export const TIMELINE_VIEW_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['partnershipId', 'name', 'status', 'asOfPosition', 'totalEvents', 'events', 'nextAfterPosition', 'backwardTransitions', 'skips', 'signals', 'disclosureLedger'],
  properties: {
    partnershipId: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    status: { type: 'string', enum: [...PARTNERSHIP_STATUSES] },
    asOfPosition: { ...position, description: 'The position of the partnership\'s latest event in the read model' },
    totalEvents: { type: 'integer', description: 'Events of the partnership (whatever the filters)' },
    events: { type: 'array', items: event, description: 'A page, in recorded order (position)' },
    nextAfterPosition: { ...nullable(position), description: 'Pass as afterPosition for the next page; null on the last page' },
    backwardTransitions: { type: 'array', items: explained, description: 'Every backward move of every workstream with its reason (whole partnership: not paged or filtered)' },
    skips: { type: 'array', items: explained, description: 'Every skip (problem_framing → co_design, concluding early) with its reason (whole partnership)' },
    signals: {
      type: 'object',
      properties: {
        raised: {
          type: 'array',
          description: 'Signals raised by events over the whole history, by code (catalog order)',
          items: SIGNAL_COUNT_SCHEMA,
        },
      },
    },
    disclosureLedger: { type: 'array', items: ledgerEntry, description: 'The data-disclosure ledger of the agreements register: agreements, transfers, ends and disposals, oldest first' },
  },
  example: TIMELINE_VIEW_EXAMPLE,
};

/** What the HTML representation of the timeline shows and how it is served (both routes' descriptions). */
export const TIMELINE_PAGE_DESCRIPTION =
  'a server-rendered page (`text/html; charset=utf-8`, no script, works with JavaScript disabled) for showing at a ' +
  'meeting: one lane per workstream with its phases as spans along occurred time (each phase occurrence from the ' +
  'transition that entered it to the one that left it) and its events as marks; per span and per event who was at the ' +
  'table (participants by `displayName` where the people vault has one, else by pseudonymous id, with roles and ' +
  'organization types); backward moves and skips with their reasons; the reminders issued and scheduled (as ' +
  '`GET /partnerships/{id}/reminders`); the hash-chain verification recomputed from the log (valid or broken, events ' +
  'checked, head hash, as `GET /partnerships/{id}/verify`, linked); the signals raised and the data-disclosure ledger. ' +
  'It reads the whole timeline, up to 5000 events, and says so when there are more. Every value is HTML-escaped; the ' +
  'response carries a strict Content-Security-Policy (`default-src \'none\'`, the one inline stylesheet allowed by its ' +
  'SHA-256 hash, no frames) and `Cache-Control: no-store`.';

export const TIMELINE_PAGE_HTML_SCHEMA: SchemaObject = { type: 'string', description: 'An HTML5 document (the timeline page)' };
