/** OpenAPI schema of `GET /partnerships/:id/effectiveness`. */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { EFFECTIVENESS_DIMENSIONS, SIDES } from '@trellis/domain';
import { SIGNAL_COUNT_SCHEMA, SIGNAL_INSTANCE_SCHEMA } from '../../openapi/signal.schemas';

const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
const bySideNumbers: SchemaObject = { type: 'object', properties: Object.fromEntries(SIDES.map((s) => [s, { type: 'integer', minimum: 1, maximum: 5 }])) };

export const EFFECTIVENESS_VIEW_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['partnershipId', 'name', 'status', 'asOfPosition', 'evaluatedAt', 'note', 'dimensions', 'reflections', 'signals'],
  description: 'Five dimensions (Henrick et al. 2017), each with event-derived indicators beside the partners\' ratings by side. No composite score.',
  properties: {
    partnershipId: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    status: { type: 'string' },
    asOfPosition: { type: 'string', pattern: '^\\d+$', description: 'The log position the read model reflects' },
    evaluatedAt: { ...dateTime, description: 'When time-dependent signals and the 90-day recording window were evaluated' },
    note: { type: 'string' },
    dimensions: {
      type: 'array',
      minItems: 5,
      maxItems: 5,
      items: {
        type: 'object',
        required: ['dimension', 'title', 'indicators', 'ratings', 'signals', 'signalsRaisedSoFar'],
        properties: {
          dimension: { type: 'string', enum: [...EFFECTIVENESS_DIMENSIONS] },
          title: { type: 'string' },
          indicators: {
            type: 'object',
            description:
              'Counts and dates derived from the log. d1: reflections, brokering, departures, sides at the table, joint activity per quarter, who recorded the last 90 days. ' +
              'd2: agendas, questions, evidence reviews, pilots, studies, stakeholder input (respondent counts under 5 shown as "<5"), data transfers, findings, joint interpretations. ' +
              'd3: problems by proposing side, reframings, research uses by decision level and deciding side, practice-partner reviews. ' +
              'd4: disseminations by audience and artifact, beyond the partnership, tools shared. ' +
              'd5: tools co-developed and revised (with the practice side), evidence types used, role growth, agreements and DSAs, workstreams.',
          },
          ratings: {
            type: 'object',
            properties: {
              latest: { type: 'object', nullable: true, properties: { at: dateTime, instrument: { type: 'string' }, bySide: bySideNumbers } },
              history: {
                type: 'object',
                description: 'Per side: count, mean (one decimal), min, max, first and latest rating of this dimension',
                properties: Object.fromEntries(
                  SIDES.map((s) => [s, { type: 'object', properties: { count: { type: 'integer' }, mean: { type: 'number' }, min: { type: 'integer' }, max: { type: 'integer' }, first: { type: 'integer' }, latest: { type: 'integer' }, latestAt: dateTime } }]),
                ),
              },
            },
          },
          signals: { type: 'array', items: SIGNAL_INSTANCE_SCHEMA, description: 'Current signals bearing on this dimension' },
          signalsRaisedSoFar: {
            type: 'array',
            description: 'Event-level signals raised over the whole history that bear on this dimension',
            items: SIGNAL_COUNT_SCHEMA,
          },
        },
      },
    },
    reflections: {
      type: 'object',
      properties: {
        count: { type: 'integer' },
        lastAt: { ...dateTime, nullable: true },
        recent: {
          type: 'array',
          items: { type: 'object', properties: { at: dateTime, position: { type: 'string' }, instrument: { type: 'string' }, ratings: { type: 'object' }, actionsAgreed: { type: 'array', items: { type: 'string' } } } },
        },
      },
    },
    signals: { type: 'array', items: SIGNAL_INSTANCE_SCHEMA, description: 'Every current signal once' },
  },
  example: {
    partnershipId: '0193b7e2-5c1a-7cc4-9a53-2f4be1c0d7aa',
    name: 'Valley–WestLab partnership',
    status: 'active',
    asOfPosition: '1042',
    evaluatedAt: '2025-08-02T09:00:00.000Z',
    note: 'Indicators derived from the log are shown beside the partners\' own ratings; no composite score is computed.',
    dimensions: [
      {
        dimension: 'd1',
        title: 'Building trust and cultivating partnership relationships',
        indicators: {
          reflectionsHeld: 1,
          lastReflectionAt: '2025-01-15T10:00:00.000Z',
          brokering: { activities: 0, lastAt: null, byKind: {}, distinctBrokers: 0, activeBrokers: 1 },
          departures: { total: 0, withSuccessor: 0, withoutSuccessor: 0 },
          sidesAtTable: { practice: { organizations: 5, participants: 5 }, research: { organizations: 1, participants: 2 } },
          jointActivity: { total: 7, byQuarter: [{ quarter: '2024-Q1', count: 4 }] },
          recordingLast90Days: { fromDay: '2025-05-05', toDay: '2025-08-02', attributedEvents: 0, unattributedEvents: 3, bySide: {} },
        },
        ratings: {
          latest: { at: '2025-01-15T10:00:00.000Z', instrument: 'RPP effectiveness survey', bySide: { research: 4, practice: 3 } },
          history: { research: { count: 1, mean: 4, min: 4, max: 4, first: 4, latest: 4, latestAt: '2025-01-15T10:00:00.000Z' } },
        },
        signals: [{ code: 'NO_BROKERING_180_DAYS', title: 'No brokering in 180 days', dimensions: ['d1'], raisedAt: '2024-07-06T10:00:00.000Z', details: { days: 571 } }],
        signalsRaisedSoFar: [],
      },
    ],
    reflections: { count: 1, lastAt: '2025-01-15T10:00:00.000Z', recent: [] },
    signals: [{ code: 'NO_BROKERING_180_DAYS', title: 'No brokering in 180 days', dimensions: ['d1'], raisedAt: '2024-07-06T10:00:00.000Z' }],
  },
};
