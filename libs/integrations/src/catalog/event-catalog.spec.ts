import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { v7 as uuidv7 } from 'uuid';
import {
  PARTNERSHIP_EVENT_SCHEMA_VERSIONS,
  PARTNERSHIP_EVENT_TYPES,
  PARTNERSHIP_UPCASTERS,
  PartnershipFixtures,
  type PartnershipEvent,
} from '@trellis/domain';
import type { JsonObject, RecordedEvent } from '@trellis/event-store';
import { toCloudEvent } from '../webhooks/cloud-event';
import { EVENT_CATALOG_ASYNCAPI, payloadSchemaName } from './asyncapi';
import { CLOUD_EVENT_SCHEMA, EVENT_ENVELOPE_SCHEMA } from './event-envelopes';
import {
  EVENT_CATALOG,
  EVENT_SCHEMAS,
  eventSchemaDocument,
  eventTypeName,
  findEventType,
  JSON_SCHEMA_DIALECT,
  type EventSchemasFile,
  type JsonSchema,
} from './event-schemas';
import {
  CatalogGenerationError,
  EVENT_SCHEMAS_FILE,
  generateCurrentSchemas,
  mergeEventSchemas,
  serializeEventSchemas,
} from './generation/event-schemas.generator';
import { asyncApiSchemas, strictAjv, validationErrors } from './testing/catalog-validation';
import { abandonedPartnershipPlan, closedPartnershipPlan } from './testing/every-event.plan';

const { runCommands } = PartnershipFixtures;

/** Every event the decider emits along the two plans, in order. */
const EMITTED: PartnershipEvent[] = [...runCommands(closedPartnershipPlan()).events, ...runCommands(abandonedPartnershipPlan()).events];

describe('the published schemas (event-schemas.generated.json)', () => {
  it('are exactly what `npm run catalog:generate` writes from the domain types today', () => {
    const committed = readFileSync(EVENT_SCHEMAS_FILE, 'utf8');
    const regenerated = serializeEventSchemas(
      mergeEventSchemas({
        previous: JSON.parse(committed) as EventSchemasFile,
        current: generateCurrentSchemas(),
        types: PARTNERSHIP_EVENT_TYPES,
        versions: PARTNERSHIP_EVENT_SCHEMA_VERSIONS,
      }),
    );
    if (regenerated !== committed) {
      throw new Error('libs/integrations/src/catalog/event-schemas.generated.json is stale: run npm run catalog:generate');
    }
  });

  it('list every event type in the domain order, at the version it is written with, with every older version', () => {
    expect(EVENT_CATALOG.map((e) => e.type)).toEqual([...PARTNERSHIP_EVENT_TYPES]);
    for (const entry of EVENT_CATALOG) {
      const latest = PARTNERSHIP_EVENT_SCHEMA_VERSIONS[entry.type as keyof typeof PARTNERSHIP_EVENT_SCHEMA_VERSIONS];
      expect({ type: entry.type, latest: entry.latestVersion }).toEqual({ type: entry.type, latest });
      expect(entry.versions).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
    }
  });

  it('keep the shape on both sides of every upcaster', () => {
    for (const upcaster of PARTNERSHIP_UPCASTERS) {
      expect(eventSchemaDocument(upcaster.type, upcaster.fromVersion)).toBeDefined();
      expect(eventSchemaDocument(upcaster.type, upcaster.fromVersion + 1)).toBeDefined();
    }
  });

  it('are standalone draft-07 schemas that compile in strict mode (no unknown keyword, no reference)', () => {
    const ajv = strictAjv();
    for (const [type, byVersion] of Object.entries(EVENT_SCHEMAS.events)) {
      for (const version of Object.keys(byVersion)) {
        const { schema } = eventSchemaDocument(type, Number(version))!;
        expect(schema['$schema']).toBe(JSON_SCHEMA_DIALECT);
        expect(JSON.stringify(schema)).not.toContain('"$ref"');
        expect(() => ajv.compile(schema)).not.toThrow();
      }
    }
  });
});

describe('every event the decider can emit validates against its published schema', () => {
  it('drives the real decider through histories that emit every event type', () => {
    expect(new Set(EMITTED.map((e) => e.type))).toEqual(new Set(PARTNERSHIP_EVENT_TYPES));
  });

  it('validates the data of each emitted event (all of them, at the latest version) with its schema', () => {
    const ajv = strictAjv();
    const validators = new Map(EVENT_CATALOG.map((e) => [e.type, ajv.compile(eventSchemaDocument(e.type)!.schema)]));
    const failures = EMITTED.flatMap((event, i) => {
      const errors = validationErrors(validators.get(event.type)!, json(event.data));
      return errors ? [`#${i} ${event.type}: ${errors}`] : [];
    });
    expect(failures).toEqual([]);
    expect(EMITTED.length).toBeGreaterThan(PARTNERSHIP_EVENT_TYPES.length);
  });

  it('rejects data the decider would not emit: a property too many, a required one missing, a word outside the vocabulary', () => {
    const approved = EMITTED.find((e) => e.type === 'PilotApproved')!;
    const validate = strictAjv().compile(eventSchemaDocument('PilotApproved')!.schema);
    const data = json(approved.data) as Record<string, unknown>;
    expect(validate(data)).toBe(true);
    expect(validate({ ...data, participantName: 'Ada' })).toBe(false);
    const { toolId: _dropped, ...withoutTool } = data;
    expect(validate(withoutTool)).toBe(false);
    expect(validate({ ...data, consentBasis: 'implied' })).toBe(false);
    expect(validate({ ...data, approvals: [{ organizationId: 'org-1', kind: 'x' }] })).toBe(false);
  });
});

describe('mergeEventSchemas: a published version is never rewritten', () => {
  const v1: JsonSchema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false };
  const v2: JsonSchema = { ...v1, properties: { a: { type: 'string' }, b: { type: 'number' } } };
  const published = (events: EventSchemasFile['events']): EventSchemasFile => ({ $comment: '', source: '', events });

  it('keeps the older versions as published when the domain moves a type to a new version', () => {
    const file = mergeEventSchemas({ previous: published({ A: { 1: v1 } }), current: { A: v2 }, types: ['A'], versions: { A: 2 } });
    expect(file.events).toEqual({ A: { 1: v1, 2: v2 } });
  });

  it('refuses a changed shape at a published version, and says to bump the version (unless forced)', () => {
    const merge = (force?: boolean) =>
      mergeEventSchemas({ previous: published({ A: { 1: v1 } }), current: { A: v2 }, types: ['A'], versions: { A: 1 }, force });
    expect(() => merge()).toThrow(CatalogGenerationError);
    expect(() => merge()).toThrow(/A v1 is published and its shape changed: bump PARTNERSHIP_EVENT_SCHEMA_VERSIONS.A to 2/);
    expect(merge(true).events).toEqual({ A: { 1: v2 } });
  });

  it('lets descriptions be reworded at a published version', () => {
    const reworded = { ...v1, description: 'new words', properties: { a: { type: 'string', description: 'an a' } } };
    const file = mergeEventSchemas({ previous: published({ A: { 1: v1 } }), current: { A: reworded }, types: ['A'], versions: { A: 1 } });
    expect(file.events['A']).toEqual({ 1: reworded });
  });

  it('treats a property named like an annotation as shape', () => {
    const withTitle = { ...v1, properties: { a: { type: 'string' }, title: { type: 'string' } } };
    expect(() =>
      mergeEventSchemas({ previous: published({ A: { 1: v1 } }), current: { A: withTitle }, types: ['A'], versions: { A: 1 } }),
    ).toThrow(/shape changed/);
  });

  it('refuses to drop an event type, to go back a version, or to skip one, naming every problem (even when forced)', () => {
    const attempt = () =>
      mergeEventSchemas({
        previous: published({ A: { 1: v1, 2: v2 }, Gone: { 1: v1 } }),
        current: { A: v1, C: v1 },
        types: ['A', 'C'],
        versions: { A: 1, C: 3 },
        force: true,
      });
    expect(attempt).toThrow(CatalogGenerationError);
    try {
      attempt();
    } catch (error) {
      expect((error as CatalogGenerationError).problems).toEqual([
        'A v2 is published but the domain is at v1',
        'C v1 was never published, so C cannot be at v3',
        'C v2 was never published, so C cannot be at v3',
        'Gone is published but no longer an event type (events are never removed or renamed)',
      ]);
    }
  });
});

describe('the catalog API of the library', () => {
  it('names CloudEvents types trellis.<EventType>.v<schemaVersion>', () => {
    expect(eventTypeName('PartnershipProposed', 1)).toBe('trellis.PartnershipProposed.v1');
    expect(eventTypeName('ToolRevised', 12)).toBe('trellis.ToolRevised.v12');
  });

  it('serves the latest version by default, a published older one on request, and nothing for the unknown', () => {
    const doc = eventSchemaDocument('ToolRevised')!;
    expect(doc).toMatchObject({ type: 'ToolRevised', schemaVersion: 1, latestSchemaVersion: 1, versions: [1], cloudEventType: 'trellis.ToolRevised.v1' });
    expect(doc.schema).toMatchObject({ $id: 'urn:trellis:event-schema:ToolRevised:v1', title: 'ToolRevised v1', type: 'object' });
    expect(eventSchemaDocument('ToolRevised', 1)).toEqual(doc);
    expect(eventSchemaDocument('ToolRevised', 2)).toBeUndefined();
    expect(eventSchemaDocument('NoSuchEvent')).toBeUndefined();
    expect(eventSchemaDocument('constructor')).toBeUndefined();
    expect(findEventType('toString')).toBeUndefined();
  });
});

describe('the AsyncAPI 3.0 document', () => {
  const doc = EVENT_CATALOG_ASYNCAPI;

  it('is valid against the official AsyncAPI 3.0.0 JSON Schema', () => {
    // The variant without `$id`s: the bundled one embeds the draft-07 meta-schema Ajv already has.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const specification = require('@asyncapi/specs/schemas/3.0.0-without-$id.json') as JsonSchema;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(specification);
    expect(validationErrors(validate, doc)).toBeUndefined();
    expect(validate({ ...doc, operations: { broken: { action: 'publish', channel: { $ref: '#/channels/webhook' } } } })).toBe(false);
    expect(doc.asyncapi).toBe('3.0.0');
  });

  it('offers every event type at its latest version on the webhook, feed and stream channels, sent by Trellis', () => {
    const latest = EVENT_CATALOG.map((e) => payloadSchemaName(e.type, e.latestVersion));
    expect(Object.keys(doc.channels)).toEqual(['webhook', 'eventFeed', 'eventStream']);
    expect(doc.channels['eventFeed']!.address).toBe('/events');
    expect(doc.channels['eventStream']!.address).toBe('/events/stream');
    for (const channel of Object.values(doc.channels)) expect(Object.keys(channel.messages)).toEqual(latest);
    expect(Object.values(doc.operations).map((o) => [o.action, o.channel.$ref])).toEqual([
      ['send', '#/channels/webhook'],
      ['send', '#/channels/eventFeed'],
      ['send', '#/channels/eventStream'],
    ]);
    for (const entry of EVENT_CATALOG) {
      for (const version of entry.versions) expect(doc.components.schemas[payloadSchemaName(entry.type, version)]).toBeDefined();
    }
  });

  it('describes the webhook body and the envelope of every emitted event (the message payloads accept them)', () => {
    const schemaAt = asyncApiSchemas(EVENT_CATALOG_ASYNCAPI);
    const failures: string[] = [];
    EMITTED.forEach((event, i) => {
      const recorded = asRecorded(event, i);
      const cloudEvent = json(toCloudEvent(recorded));
      const envelope = json({ ...recorded, revision: String(recorded.revision), position: String(recorded.position) });
      for (const [kind, value] of [['cloudevent', cloudEvent], ['envelope', envelope]] as const) {
        const errors = validationErrors(schemaAt(`/components/messages/${event.type}.v1.${kind}/payload`), value);
        if (errors) failures.push(`#${i} ${event.type} ${kind}: ${errors}`);
      }
    });
    expect(failures).toEqual([]);
  });

  it('does not accept an event under another type\'s message', () => {
    const schemaAt = asyncApiSchemas(EVENT_CATALOG_ASYNCAPI);
    const proposed = asRecorded(EMITTED.find((e) => e.type === 'PartnershipProposed')!, 0);
    const validate = schemaAt('/components/messages/OrganizationJoined.v1.cloudevent/payload');
    expect(validate(json(toCloudEvent(proposed)))).toBe(false);
    expect(strictAjv().compile(CLOUD_EVENT_SCHEMA)(json(toCloudEvent(proposed)))).toBe(true);
    expect(strictAjv().compile(EVENT_ENVELOPE_SCHEMA)(json(toCloudEvent(proposed)))).toBe(false);
  });
});

function json<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** A decided event as the store would record it (envelope of DESIGN.md §3, placeholder hashes). */
function asRecorded(event: PartnershipEvent, index: number): RecordedEvent {
  const partnershipId = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
  const at = event.metadata?.recordedAt ?? '2025-01-01T10:00:00.000Z';
  const workstreamId = (event.data as { workstreamId?: string }).workstreamId;
  return {
    eventId: uuidv7(),
    type: event.type,
    schemaVersion: PARTNERSHIP_EVENT_SCHEMA_VERSIONS[event.type],
    streamId: `partnership-${partnershipId}`,
    revision: BigInt(index),
    position: BigInt(1000 + index),
    data: json(event.data) as JsonObject,
    metadata: {
      partnershipId,
      ...(workstreamId ? { workstreamId } : {}),
      occurredAt: event.metadata?.occurredAt ?? at,
      recordedAt: at,
      recordedBy: { apiKeyId: 'key-1' },
      correlationId: 'corr-1',
      causationId: uuidv7(),
      prevHash: '0'.repeat(64),
      hash: 'a'.repeat(64),
    },
  };
}
