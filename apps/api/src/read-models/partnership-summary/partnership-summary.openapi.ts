/** OpenAPI schema of `GET /partnerships` (a page of partnership-summary items). */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { SIGNAL_COUNT_SCHEMA } from '../../openapi/signal.schemas';
import { PARTNERSHIP_STATUSES, PARTNERSHIP_TYPES, PHASES, SIDES, INITIATION_MODES } from '@trellis/domain';

const ids: SchemaObject = { type: 'array', items: { type: 'string' } };
const sideEntry: SchemaObject = { type: 'object', required: ['count', 'organizationIds'], properties: { count: { type: 'integer' }, organizationIds: ids } };

export const PARTNERSHIP_SUMMARY_ITEM_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['partnershipId', 'name', 'status', 'types', 'initiationMode', 'focus', 'organizations', 'openWorkstreams', 'lastActivity', 'createdAt', 'signals', 'asOfPosition'],
  properties: {
    partnershipId: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    status: { type: 'string', enum: [...PARTNERSHIP_STATUSES] },
    types: { type: 'array', items: { type: 'string', enum: [...PARTNERSHIP_TYPES] } },
    initiationMode: { type: 'string', enum: [...INITIATION_MODES], nullable: true },
    focus: { type: 'string' },
    organizations: {
      type: 'object',
      description: 'Member organizations by side (withdrawn ones apart)',
      properties: {
        total: { type: 'integer', description: 'Organizations that have not withdrawn' },
        bySide: { type: 'object', properties: Object.fromEntries(SIDES.map((s) => [s, sideEntry])) },
        withdrawn: sideEntry,
      },
    },
    openWorkstreams: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          workstreamId: { type: 'string' },
          title: { type: 'string' },
          phase: { type: 'string', enum: [...PHASES] },
          phaseEnteredAt: { type: 'string', format: 'date-time', nullable: true },
          lastActivityAt: { type: 'string', format: 'date-time', nullable: true, description: 'occurredAt of its latest event' },
        },
      },
    },
    lastActivity: {
      type: 'object',
      nullable: true,
      description: 'The latest event: when it was recorded, and the date it occurred (back-dated facts differ)',
      properties: { recordedAt: { type: 'string', format: 'date-time' }, occurredOn: { type: 'string', format: 'date' }, eventType: { type: 'string' } },
    },
    createdAt: { type: 'string', format: 'date-time', nullable: true, description: 'When the proposal was recorded' },
    signals: {
      type: 'array',
      description: 'Current signals (evaluated at request time), by code; count > 1 when a code applies several times (e.g. per organization)',
      items: SIGNAL_COUNT_SCHEMA,
    },
    asOfPosition: { type: 'string', pattern: '^\\d+$', description: 'The log position this item reflects (decimal string)' },
  },
};

export const PARTNERSHIP_SUMMARY_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: PARTNERSHIP_SUMMARY_ITEM_SCHEMA },
    nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' },
  },
  example: {
    items: [
      {
        partnershipId: '0193b7e2-5c1a-7cc4-9a53-2f4be1c0d7aa',
        name: 'Valley–WestLab partnership',
        status: 'active',
        types: ['design_research_partnership'],
        initiationMode: 'agency',
        focus: 'student engagement in the middle grades',
        organizations: {
          total: 2,
          bySide: {
            research: { count: 1, organizationIds: ['org-westlab'] },
            practice: { count: 1, organizationIds: ['org-valley-usd'] },
            community: { count: 0, organizationIds: [] },
            intermediary: { count: 0, organizationIds: [] },
            funder: { count: 0, organizationIds: [] },
          },
          withdrawn: { count: 0, organizationIds: [] },
        },
        openWorkstreams: [
          { workstreamId: 'ws-routines', title: 'Engagement routines', phase: 'pilot', phaseEnteredAt: '2024-08-01T10:00:00.000Z', lastActivityAt: '2024-09-03T10:00:00.000Z' },
        ],
        lastActivity: { recordedAt: '2024-09-03T10:00:00.000Z', occurredOn: '2024-09-03', eventType: 'PilotStarted' },
        createdAt: '2024-01-08T10:00:00.000Z',
        signals: [{ code: 'NO_BROKERING_180_DAYS', title: 'No brokering in 180 days', count: 1 }],
        asOfPosition: '1042',
      },
    ],
    nextCursor: 'eyJ2IjoxLCJrIjoiMTAwMSJ9',
  },
};
