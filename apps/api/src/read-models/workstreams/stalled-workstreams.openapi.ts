/** OpenAPI response schema of `GET /workstreams` (inline: the route's decorators carry it). */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { OPEN_PHASES } from '@trellis/domain';
import { STALL_CLOCK_KINDS } from '@trellis/projections';

const date: SchemaObject = { type: 'string', format: 'date' };
const dateTime: SchemaObject = { type: 'string', format: 'date-time' };

export const STALL_BLOCKER_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['code', 'description', 'since'],
  properties: {
    code: {
      type: 'string',
      enum: [
        'PARTNERSHIP_PAUSED',
        'NO_PROBLEM_DEFINED',
        'AGENDA_NOT_AGREED',
        'NO_EVIDENCE_REVIEW',
        'NO_TOOL_OR_STUDY',
        'NO_TOOL',
        'NO_PILOT_APPROVED',
        'PILOT_NOT_STARTED',
        'PILOT_PAST_PLANNED_END',
        'NO_STAKEHOLDER_INPUT',
        'INPUT_NOT_ANSWERED',
        'NEXT_STEP_NOT_DECIDED',
        'STUDY_NOT_STARTED',
        'DSA_EXPIRING',
        'DSA_EXPIRED',
        'DSA_ENDED',
        'FINDINGS_NOT_INTERPRETED',
        'NO_USE_OR_DISSEMINATION',
        'NOT_CONCLUDED',
      ],
    },
    description: { type: 'string' },
    since: { ...date, description: 'Since when the condition holds' },
    policy: { type: 'string', description: 'The reminder policy (R-xx) or signal (W-xx) it corresponds to' },
    subject: {
      type: 'object',
      properties: { kind: { type: 'string', enum: ['pilot', 'study', 'dsa', 'findings'] }, id: { type: 'string' } },
    },
  },
};

export const STALLED_WORKSTREAM_EXAMPLE = {
  partnershipId: '11111111-1111-4111-8111-111111111111',
  partnershipName: 'Valley–WestLab partnership',
  partnershipStatus: 'active',
  workstreamId: 'ws-coaching',
  title: 'County coaching',
  phase: 'problem_framing',
  openedAt: '2025-10-06T10:00:00.000Z',
  enteredAt: '2025-10-06T10:00:00.000Z',
  lastActivityAt: '2025-10-08T10:00:00.000Z',
  clock: 'problem_framing',
  policy: 'R-03',
  thresholdDays: 45,
  clockStartedOn: '2025-10-08',
  dueOn: '2025-11-22',
  pausedDays: 0,
  elapsedDays: 55,
  daysOverThreshold: 10,
  stalled: true,
  paused: false,
  pausedSince: null,
  blockedBy: [
    {
      code: 'AGENDA_NOT_AGREED',
      description: 'A problem of practice is defined but no research agenda has been agreed by researchers and practitioners',
      since: '2025-10-08',
      policy: 'R-03',
    },
  ],
};

export const STALLED_WORKSTREAMS_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['asOf', 'items', 'nextCursor'],
  properties: {
    asOf: { ...dateTime, description: 'The "now" the days were counted at' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'partnershipId',
          'partnershipName',
          'workstreamId',
          'title',
          'phase',
          'enteredAt',
          'lastActivityAt',
          'thresholdDays',
          'daysOverThreshold',
          'stalled',
          'paused',
          'blockedBy',
        ],
        properties: {
          partnershipId: { type: 'string', format: 'uuid' },
          partnershipName: { type: 'string' },
          partnershipStatus: { type: 'string', enum: ['exploring', 'active', 'paused', 'transitioning'] },
          workstreamId: { type: 'string' },
          title: { type: 'string' },
          phase: { type: 'string', enum: [...OPEN_PHASES] },
          openedAt: { ...dateTime, nullable: true },
          enteredAt: { ...dateTime, nullable: true, description: 'When the current phase was entered' },
          lastActivityAt: { ...dateTime, nullable: true, description: 'When the latest event of the workstream happened' },
          clock: { type: 'string', enum: [...STALL_CLOCK_KINDS], description: 'Which threshold applies (the phase, or formal_study_running)' },
          policy: { type: 'string', nullable: true, description: 'The reminder policy the threshold comes from' },
          thresholdDays: { type: 'integer' },
          clockStartedOn: { ...date, description: 'Later of phase entry, last activity and (pilot) the planned date waited for, moved past completed pauses' },
          dueOn: { ...date, description: 'clockStartedOn + thresholdDays: stalled from the day after' },
          pausedDays: { type: 'integer', description: 'Days of completed pauses excluded from the clock' },
          elapsedDays: { type: 'integer', description: 'Days on the clock (frozen at the pause while the partnership is paused)' },
          daysOverThreshold: { type: 'integer', minimum: 0 },
          stalled: { type: 'boolean' },
          paused: { type: 'boolean', description: 'The partnership is paused: its clocks are frozen and it is never listed as stalled' },
          pausedSince: { ...date, nullable: true },
          blockedBy: { type: 'array', items: STALL_BLOCKER_SCHEMA },
        },
      },
    },
    nextCursor: { type: 'string', nullable: true, description: 'Pass as cursor for the next page; null at the end' },
  },
  example: { asOf: '2025-12-02T09:00:00.000Z', items: [STALLED_WORKSTREAM_EXAMPLE], nextCursor: null },
};
