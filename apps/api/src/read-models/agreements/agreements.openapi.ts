/** OpenAPI response schema of `GET /partnerships/:id/agreements` (inline: the route's decorators carry it). */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { DSA_END_KINDS, LEGAL_BASES } from '@trellis/domain';

const date: SchemaObject = { type: 'string', format: 'date' };
const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });
const organization: SchemaObject = {
  type: 'object',
  required: ['organizationId', 'name', 'side', 'orgType'],
  properties: { organizationId: { type: 'string' }, name: nullable({ type: 'string' }), side: nullable({ type: 'string' }), orgType: nullable({ type: 'string' }) },
};

const transfer: SchemaObject = {
  type: 'object',
  required: ['transferId', 'dsaId', 'workstreamId', 'dataCategories', 'piiIncluded', 'receivedOn', 'recipientOrganizationId', 'occurredAt', 'recordedAt', 'eventId'],
  properties: {
    transferId: { type: 'string' },
    dsaId: { type: 'string' },
    workstreamId: { type: 'string' },
    dataCategories: { type: 'array', items: { type: 'string' } },
    piiIncluded: { type: 'boolean' },
    receivedOn: date,
    recipientOrganizationId: nullable({ type: 'string', description: 'When the transfer names its recipient; otherwise the DSA recipients' }),
    occurredAt: dateTime,
    recordedAt: { ...dateTime, description: 'Later than occurredAt for back-dated facts' },
    eventId: { type: 'string', format: 'uuid', description: 'The DataReceivedUnderAgreement event (audit drill-down)' },
  },
};

const dsa: SchemaObject = {
  type: 'object',
  properties: {
    dsaId: { type: 'string' },
    provider: organization,
    recipients: { type: 'array', items: organization },
    legalBasis: { type: 'string', enum: [...LEGAL_BASES] },
    purpose: { type: 'string' },
    dataCategories: { type: 'array', items: { type: 'string' } },
    piiIncluded: { type: 'boolean' },
    effectiveFrom: date,
    expiresOn: date,
    executedAt: nullable(dateTime),
    status: { type: 'string', enum: ['active', 'ended'] },
    daysUntilExpiry: nullable({ type: 'integer', description: 'Active DSAs: days from today to expiresOn (negative past it)' }),
    expiringSoon: { type: 'boolean', description: 'Active and within 90 days of expiry (R-13)' },
    pastExpiry: { type: 'boolean', description: 'Still active although expiresOn has passed' },
    endKind: nullable({ type: 'string', enum: [...DSA_END_KINDS] }),
    endedOn: nullable(date),
    destructionPeriodDays: { type: 'integer' },
    destructionDueBy: nullable(date),
    daysUntilDestructionDue: nullable({ type: 'integer', description: 'Ended, disposal not certified: days left (negative when overdue)' }),
    disposal: {
      type: 'object',
      properties: {
        certified: { type: 'boolean' },
        certifiedByParticipantId: nullable({ type: 'string' }),
        method: nullable({ type: 'string' }),
        disposedOn: nullable(date),
        certifiedAt: nullable(dateTime),
      },
    },
    disposalOverdue: { type: 'boolean', description: 'Ended, not certified, destructionDueBy passed (R-14)' },
    disposalDueSoon: { type: 'boolean', description: 'Ended, not certified, due within 14 days (R-14)' },
    noSurprisesReview: {
      type: 'object',
      properties: { windowDays: { type: 'integer' }, defaulted: { type: 'boolean', description: 'The agreement set none: 30 days' } },
    },
    transferCount: { type: 'integer' },
    piiTransferCount: { type: 'integer' },
    lastReceivedOn: nullable(date),
    transfers: { type: 'array', items: transfer },
  },
};

export const AGREEMENTS_REGISTER_EXAMPLE = {
  partnershipId: '11111111-1111-4111-8111-111111111111',
  partnershipName: 'Valley–WestLab partnership',
  partnershipStatus: 'active',
  asOf: '2025-11-20T09:00:00.000Z',
  agreement: {
    agreementRef: 'MOU-VALLEY-2024',
    parties: [
      { organizationId: 'org-valley-usd', name: 'Valley USD', side: 'practice', orgType: 'school_district' },
      { organizationId: 'org-westlab', name: 'WestLab', side: 'research', orgType: 'research_organization' },
    ],
    coLeadParticipantIds: ['p-dist-lead', 'p-lab-lead'],
    effectiveFrom: '2024-02-01',
    termEnd: '2029-01-31',
    originalTermEnd: '2027-01-31',
    formalizedAt: '2024-02-01T10:00:00.000Z',
    daysUntilTermEnd: 1168,
    termEnded: false,
    termEndingSoon: false,
    amendments: [{ amendmentKind: 'renewal', newTermEnd: '2029-01-31', amendedAt: '2025-09-01T10:00:00.000Z' }],
    amendmentCount: 1,
  },
  dataSharingAgreements: [
    {
      dsaId: 'dsa-valley-surveys',
      provider: { organizationId: 'org-valley-usd', name: 'Valley USD', side: 'practice', orgType: 'school_district' },
      recipients: [{ organizationId: 'org-westlab', name: 'WestLab', side: 'research', orgType: 'research_organization' }],
      legalBasis: 'deidentified_only',
      purpose: 'Aggregate engagement surveys',
      dataCategories: ['engagement_survey'],
      piiIncluded: false,
      effectiveFrom: '2025-09-01',
      expiresOn: '2026-08-31',
      executedAt: '2025-09-02T10:00:00.000Z',
      status: 'ended',
      daysUntilExpiry: null,
      expiringSoon: false,
      pastExpiry: false,
      endKind: 'superseded',
      endedOn: '2025-10-01',
      destructionPeriodDays: 30,
      destructionDueBy: '2025-10-31',
      daysUntilDestructionDue: -20,
      disposal: { certified: false, certifiedByParticipantId: null, method: null, disposedOn: null, certifiedAt: null },
      disposalOverdue: true,
      disposalDueSoon: false,
      noSurprisesReview: { windowDays: 14, defaulted: false },
      transferCount: 1,
      piiTransferCount: 0,
      lastReceivedOn: '2025-09-20',
      transfers: [
        {
          transferId: 'xfer-surveys',
          dsaId: 'dsa-valley-surveys',
          workstreamId: 'ws-routines',
          dataCategories: ['engagement_survey'],
          piiIncluded: false,
          receivedOn: '2025-09-20',
          recipientOrganizationId: null,
          occurredAt: '2025-09-21T10:00:00.000Z',
          recordedAt: '2025-09-25T10:00:00.000Z',
          eventId: '0193a6f0-1b2c-7d3e-8f40-000000000128',
        },
      ],
    },
  ],
  totals: { dataSharingAgreements: 2, active: 0, ended: 2, expiringSoon: 0, pastExpiry: 0, disposalPending: 1, disposalOverdue: 1, transfers: 2, piiTransfers: 1 },
};

export const AGREEMENTS_REGISTER_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['partnershipId', 'partnershipName', 'partnershipStatus', 'asOf', 'agreement', 'dataSharingAgreements', 'totals'],
  properties: {
    partnershipId: { type: 'string', format: 'uuid' },
    partnershipName: { type: 'string' },
    partnershipStatus: { type: 'string' },
    asOf: { ...dateTime, description: 'The "now" the days were counted at' },
    agreement: {
      type: 'object',
      nullable: true,
      description: 'The MOU or charter (null before the partnership is formalized)',
      properties: {
        agreementRef: { type: 'string' },
        parties: { type: 'array', items: organization },
        coLeadParticipantIds: { type: 'array', items: { type: 'string' } },
        effectiveFrom: date,
        termEnd: nullable({ ...date, description: 'Current term end (after amendments)' }),
        originalTermEnd: nullable(date),
        formalizedAt: nullable(dateTime),
        daysUntilTermEnd: nullable({ type: 'integer' }),
        termEnded: { type: 'boolean' },
        termEndingSoon: { type: 'boolean', description: 'Within 120 days of the term end (R-18)' },
        amendments: {
          type: 'array',
          items: { type: 'object', properties: { amendmentKind: { type: 'string' }, newTermEnd: nullable(date), amendedAt: nullable(dateTime) } },
        },
        amendmentCount: { type: 'integer' },
      },
    },
    dataSharingAgreements: { type: 'array', items: dsa },
    totals: {
      type: 'object',
      properties: Object.fromEntries(
        ['dataSharingAgreements', 'active', 'ended', 'expiringSoon', 'pastExpiry', 'disposalPending', 'disposalOverdue', 'transfers', 'piiTransfers'].map((k) => [k, { type: 'integer' }]),
      ),
    },
  },
  example: AGREEMENTS_REGISTER_EXAMPLE,
};
