/** OpenAPI response schemas of the people routes (inline: the routes' decorators carry them). */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ERASURE_REASONS } from '@trellis/platform';

const personId: SchemaObject = { type: 'string', format: 'uuid', description: 'The vault\'s id: put it in JoinParticipant.personId' };
const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
const reason: SchemaObject = { type: 'string', enum: [...ERASURE_REASONS] };

export const PERSON_REGISTERED_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['personId'],
  properties: { personId },
  example: { personId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' },
};

export const PERSON_SCHEMA: SchemaObject = {
  oneOf: [
    {
      type: 'object',
      title: 'Person',
      required: ['personId', 'erased', 'displayName', 'email', 'createdAt'],
      properties: { personId, erased: { type: 'boolean', enum: [false] }, displayName: { type: 'string' }, email: { type: 'string', format: 'email' }, createdAt: dateTime },
    },
    {
      type: 'object',
      title: 'ErasedPerson',
      required: ['personId', 'erased', 'erasedAt', 'createdAt'],
      properties: { personId, erased: { type: 'boolean', enum: [true] }, erasedAt: dateTime, reason, createdAt: dateTime },
    },
  ],
};

export const ERASURE_RESULT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['personId', 'erased', 'erasedAt', 'eventId'],
  properties: {
    personId,
    erased: { type: 'boolean', enum: [true] },
    erasedAt: { ...dateTime, description: 'When the key was destroyed (the first erasure)' },
    reason,
    eventId: { type: 'string', format: 'uuid', description: 'The PersonalDataErased event on the `compliance` stream' },
  },
};

/**
 * `displayName` of a participant in state, timeline and history views: the person's name, or
 * "erased participant (<roles>, <organization type>)"; absent without a linked person.
 */
export const DISPLAY_NAME_SCHEMA: SchemaObject = {
  type: 'string',
  description:
    'Resolved at read time from the people vault (never stored in a view): the person\'s name, or ' +
    '"erased participant (<roles joined by />, <organization type>)" after erasure. Absent when the participant references no person.',
  example: 'erased participant (practitioner/broker, school_district)',
};

/** The `people` annotation beside exported events: participantId → display name. */
export const PEOPLE_ANNOTATION_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: DISPLAY_NAME_SCHEMA,
  description:
    'participantId → display name, for the participants linked to a person (outside the hashed envelope: exports still verify).',
  example: { 'p-teacher-ana': 'Ana Lucía Pérez', 'p-principal-bo': 'erased participant (practitioner, school)' },
};
