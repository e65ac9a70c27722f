/** OpenAPI schemas of signals as the read-model endpoints show them (one definition each). */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { EFFECTIVENESS_DIMENSIONS } from '@trellis/domain';
import { SIGNAL_CODES } from '@trellis/projections';

/** A signal raised now (SignalInstance): effectiveness, broker network. */
export const SIGNAL_INSTANCE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['code', 'title', 'dimensions', 'raisedAt'],
  properties: {
    code: { type: 'string', enum: [...SIGNAL_CODES] },
    title: { type: 'string' },
    dimensions: { type: 'array', items: { type: 'string', enum: [...EFFECTIVENESS_DIMENSIONS] } },
    eventId: { type: 'string', description: 'The event that raised it (or started its clock)' },
    position: { type: 'string', pattern: '^\\d+$' },
    workstreamId: { type: 'string' },
    phase: { type: 'string' },
    subjects: { type: 'object', description: 'Ids of what it is about: problemId, inputId, toolId, findingsId, organizationId, participantId' },
    details: { type: 'object', description: 'The figures behind it (side and share, days elapsed, respondent categories, …)' },
    raisedAt: { type: 'string', format: 'date-time', description: "The event's occurredAt; for time-dependent signals when the threshold was crossed" },
  },
};

/** Signals counted by code (partnership list, timeline, effectiveness). */
export const SIGNAL_COUNT_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { code: { type: 'string', enum: [...SIGNAL_CODES] }, title: { type: 'string' }, count: { type: 'integer', minimum: 1 } },
};
