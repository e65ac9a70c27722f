'use strict';
/**
 * A realistic partnership event, the same for every subject: a `ToolCoDeveloped` event as the API
 * would store it (libs/domain partnership.events.ts, apps/api partnership-envelope.ts) — about 470
 * bytes of data and 440 bytes of metadata (occurredAt, recordedAt, recordedBy, correlationId, …).
 * Ids and timestamps are fresh for every append, so nothing is served from a cache by accident.
 */
const { randomUUID } = require('node:crypto');
const { v7: uuidv7 } = require('uuid');

const PARTNERSHIP_ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

function partnershipEvent(writer) {
  const now = new Date().toISOString();
  const workstreamId = `ws-${writer.toString().padStart(2, '0')}-0190a1b2c3d47e5f`;
  return {
    eventId: uuidv7(),
    type: 'ToolCoDeveloped',
    schemaVersion: 1,
    data: {
      workstreamId,
      toolId: randomUUID(),
      name: 'Formative assessment protocol for grade 7 fractions',
      purpose:
        'Give teachers a shared rubric and a weekly routine to surface misconceptions about equivalent fractions before the unit test, co-designed with the district math coaches.',
      coDesignerParticipantIds: [
        'p-01J8ZQ3M4K5N6P7R8S9T0V1W2X',
        'p-01J8ZQ3M4K5N6P7R8S9T0V1W2Y',
        'p-01J8ZQ3M4K5N6P7R8S9T0V1W2Z',
      ],
      version: 1,
    },
    metadata: {
      partnershipId: PARTNERSHIP_ID,
      workstreamId,
      occurredAt: now,
      recordedAt: now,
      recordedBy: {
        apiKeyId: 'key_01J8ZQ3M4K5N6P7R8S9T0V1W2X',
        participantId: 'p-01J8ZQ3M4K5N6P7R8S9T0V1W2X',
        organizationId: 'org-01J8ZQ3M4K5N6P7R8S9T0V1W2X',
      },
      correlationId: randomUUID(),
      causationId: randomUUID(),
    },
  };
}

/** Sizes of the JSON the subjects receive (Trellis adds ~150 bytes of prevHash/hash to metadata). */
function payloadSizes() {
  const e = partnershipEvent(0);
  return { dataBytes: JSON.stringify(e.data).length, metadataBytes: JSON.stringify(e.metadata).length };
}

module.exports = { partnershipEvent, payloadSizes };
