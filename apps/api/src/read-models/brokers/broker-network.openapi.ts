/** OpenAPI response schema of `GET /partnerships/:id/brokers` (inline: the route's decorators carry it). */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { BROKERING_ACTIVITY_KINDS } from '@trellis/domain';
import { SIGNAL_INSTANCE_SCHEMA } from '../../openapi/signal.schemas';

const date: SchemaObject = { type: 'string', format: 'date' };
const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });
const byKind: SchemaObject = {
  type: 'object',
  description: 'Activities by kind',
  properties: Object.fromEntries(BROKERING_ACTIVITY_KINDS.map((k) => [k, { type: 'integer' }])),
};
const pairIds: SchemaObject = { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2, description: 'The two organizations, in id order' };

export const BROKER_NETWORK_EXAMPLE = {
  partnershipId: '11111111-1111-4111-8111-111111111111',
  partnershipName: 'Valley–WestLab partnership',
  partnershipStatus: 'active',
  asOf: '2025-11-20T09:00:00.000Z',
  inactivityDays: 180,
  organizations: [
    { organizationId: 'org-elm-es', name: 'School 3', orgType: 'school', side: 'practice', withdrawn: false, brokerCount: 0 },
    { organizationId: 'org-oak-es', name: 'School 1', orgType: 'school', side: 'practice', withdrawn: false, brokerCount: 0 },
    { organizationId: 'org-pine-es', name: 'School 2', orgType: 'school', side: 'practice', withdrawn: false, brokerCount: 0 },
    { organizationId: 'org-valley-coe', name: 'Valley County Office', orgType: 'county_office', side: 'practice', withdrawn: false, brokerCount: 1 },
    { organizationId: 'org-valley-usd', name: 'Valley USD', orgType: 'school_district', side: 'practice', withdrawn: false, brokerCount: 1 },
    { organizationId: 'org-westlab', name: 'WestLab', orgType: 'research_organization', side: 'research', withdrawn: false, brokerCount: 0 },
  ],
  brokers: [
    {
      participantId: 'p-dist-broker',
      organizationId: 'org-valley-usd',
      organizationName: 'Valley USD',
      recognized: true,
      recognizedOn: '2024-01-10',
      departed: true,
      departedOn: '2025-10-15',
      successorParticipantId: null,
      active: false,
      activityCount: 3,
      firstActivityOn: '2025-08-05',
      lastActivityOn: '2025-08-07',
      daysSinceLastActivity: 105,
      inactive: false,
      byKind: { connect: 1, translate_research: 1, convene: 1 },
      organizationsBridged: ['org-valley-coe', 'org-valley-usd', 'org-westlab'],
      bridges: [
        { fromOrganizationId: 'org-valley-usd', toOrganizationId: 'org-westlab', count: 1, byKind: { translate_research: 1 }, firstOn: '2025-08-05', lastOn: '2025-08-05' },
        { fromOrganizationId: 'org-westlab', toOrganizationId: 'org-valley-usd', count: 1, byKind: { convene: 1 }, firstOn: '2025-08-06', lastOn: '2025-08-06' },
        { fromOrganizationId: 'org-valley-usd', toOrganizationId: 'org-valley-coe', count: 1, byKind: { connect: 1 }, firstOn: '2025-08-07', lastOn: '2025-08-07' },
      ],
    },
  ],
  pairs: [
    { organizationIds: ['org-valley-coe', 'org-valley-usd'], brokerParticipantIds: ['p-county-broker', 'p-dist-broker'], activityCount: 2, lastOn: '2025-08-08' },
    { organizationIds: ['org-valley-usd', 'org-westlab'], brokerParticipantIds: ['p-dist-broker'], activityCount: 2, lastOn: '2025-08-06' },
  ],
  singleBrokerPairs: [
    { organizationIds: ['org-valley-usd', 'org-westlab'], brokerParticipantId: 'p-dist-broker', brokerDeparted: true, brokerActive: false, activityCount: 2, lastOn: '2025-08-06' },
  ],
  unconnectedOrganizations: [
    { organizationId: 'org-elm-es', name: 'School 3', side: 'practice' },
    { organizationId: 'org-oak-es', name: 'School 1', side: 'practice' },
    { organizationId: 'org-pine-es', name: 'School 2', side: 'practice' },
  ],
  inactiveBrokers: [],
  totals: {
    brokers: 2,
    recognizedBrokers: 2,
    activeRecognizedBrokers: 1,
    departedBrokers: 1,
    inactiveBrokers: 0,
    activities: 4,
    byKind: { connect: 1, translate_research: 1, convene: 1, share_strategies: 1 },
    organizations: 6,
    pairs: 2,
    singleBrokerPairs: 1,
    unconnectedOrganizations: 3,
  },
  signals: [],
};

export const BROKER_NETWORK_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['partnershipId', 'asOf', 'brokers', 'pairs', 'singleBrokerPairs', 'unconnectedOrganizations', 'inactiveBrokers', 'totals', 'signals'],
  properties: {
    partnershipId: { type: 'string', format: 'uuid' },
    partnershipName: { type: 'string' },
    partnershipStatus: { type: 'string' },
    asOf: { type: 'string', format: 'date-time', description: 'The "now" the days were counted at' },
    inactivityDays: { type: 'integer', description: 'A recognised broker with no brokering for longer is inactive (W-02)' },
    organizations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          organizationId: { type: 'string' },
          name: { type: 'string' },
          orgType: { type: 'string' },
          side: { type: 'string' },
          withdrawn: { type: 'boolean' },
          brokerCount: { type: 'integer', description: 'Brokers acting for this organization' },
        },
      },
    },
    brokers: {
      type: 'array',
      description: 'Participants holding `broker`, and anyone who recorded brokering; departed ones stay, marked departed',
      items: {
        type: 'object',
        properties: {
          participantId: { type: 'string' },
          organizationId: { type: 'string' },
          organizationName: nullable({ type: 'string' }),
          recognized: { type: 'boolean', description: 'Holds the broker role now' },
          recognizedOn: nullable(date),
          departed: { type: 'boolean' },
          departedOn: nullable(date),
          successorParticipantId: nullable({ type: 'string' }),
          active: { type: 'boolean', description: 'Not departed and their organization has not withdrawn' },
          activityCount: { type: 'integer' },
          firstActivityOn: nullable(date),
          lastActivityOn: nullable(date),
          daysSinceLastActivity: nullable({ type: 'integer' }),
          inactive: { type: 'boolean', description: 'Recognised and active, no brokering for more than inactivityDays' },
          byKind,
          organizationsBridged: { type: 'array', items: { type: 'string' } },
          bridges: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                fromOrganizationId: { type: 'string' },
                toOrganizationId: { type: 'string' },
                count: { type: 'integer' },
                byKind,
                firstOn: date,
                lastOn: date,
              },
            },
          },
        },
      },
    },
    pairs: {
      type: 'array',
      description: 'Unordered organization pairs connected by brokering, with every broker who connects them',
      items: { type: 'object', properties: { organizationIds: pairIds, brokerParticipantIds: { type: 'array', items: { type: 'string' } }, activityCount: { type: 'integer' }, lastOn: date } },
    },
    singleBrokerPairs: {
      type: 'array',
      description: 'Pairs connected through exactly one broker (a fragility indicator; more so when that broker departed)',
      items: {
        type: 'object',
        properties: {
          organizationIds: pairIds,
          brokerParticipantId: { type: 'string' },
          brokerDeparted: { type: 'boolean' },
          brokerActive: { type: 'boolean' },
          activityCount: { type: 'integer' },
          lastOn: date,
        },
      },
    },
    unconnectedOrganizations: {
      type: 'array',
      description: 'Member organizations (not withdrawn) that brokering connects to no other',
      items: { type: 'object', properties: { organizationId: { type: 'string' }, name: { type: 'string' }, side: { type: 'string' } } },
    },
    inactiveBrokers: {
      type: 'array',
      items: { type: 'object', properties: { participantId: { type: 'string' }, organizationId: { type: 'string' }, lastActivityOn: nullable(date), inactiveSince: nullable(date) } },
    },
    totals: {
      type: 'object',
      properties: {
        ...Object.fromEntries(
          ['brokers', 'recognizedBrokers', 'activeRecognizedBrokers', 'departedBrokers', 'inactiveBrokers', 'activities', 'organizations', 'pairs', 'singleBrokerPairs', 'unconnectedOrganizations'].map((k) => [k, { type: 'integer' }]),
        ),
        byKind,
      },
    },
    signals: {
      type: 'array',
      items: SIGNAL_INSTANCE_SCHEMA,
      description:
        'The broker signals raised now (DOMAIN.md "Signals"): NO_RECOGNISED_BROKER, NO_BROKERING_180_DAYS — evaluated at `asOf` over the partnership-summary read model (empty while it is not built)',
    },
  },
  example: BROKER_NETWORK_EXAMPLE,
};
