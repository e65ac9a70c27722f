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
import {
  defaultReminderSettings,
  evolveReminderState,
  initialReminderState,
  pendingReminders,
  REMINDER_EVENT_SCHEMA_VERSIONS,
  REMINDER_EVENT_TYPES,
  reminderEventId,
  remindersStreamId,
  toReminderIssued,
  type ReminderIssued,
  type ReminderState,
} from '@trellis/reminders';
import { COMPLIANCE_EVENT_SCHEMA_VERSIONS, COMPLIANCE_EVENT_TYPES, COMPLIANCE_STREAM_ID, ERASURE_REASONS, type PersonalDataErasedData } from '@trellis/platform';
import { toCloudEvent } from '../webhooks/cloud-event';
import { EVENT_CATALOG_ASYNCAPI, payloadSchemaName, streamPrefixOf } from './asyncapi';
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
  EVENT_SCHEMA_SOURCES,
  EVENT_SCHEMAS_FILE,
  generateCurrentSchemas,
  mergeEventSchemas,
  serializeEventSchemas,
  type EventSchemaSource,
} from './generation/event-schemas.generator';
import { asyncApiSchemas, strictAjv, validationErrors } from './testing/catalog-validation';
import { abandonedPartnershipPlan, closedPartnershipPlan } from './testing/every-event.plan';

const { plan, runCommands, seedToolPath } = PartnershipFixtures;

const PARTNERSHIP_ID = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
/** Every event type the catalog must publish: the partnership's, the reminders', then the compliance stream's. */
const ALL_EVENT_TYPES: readonly string[] = [...PARTNERSHIP_EVENT_TYPES, ...REMINDER_EVENT_TYPES, ...COMPLIANCE_EVENT_TYPES];
const SCHEMA_VERSIONS: Readonly<Record<string, number>> = {
  ...PARTNERSHIP_EVENT_SCHEMA_VERSIONS,
  ...REMINDER_EVENT_SCHEMA_VERSIONS,
  ...COMPLIANCE_EVENT_SCHEMA_VERSIONS,
};
/** Erasures as the people vault records them: with each reason, and without one. */
const ERASURES: PersonalDataErasedData[] = [
  { personId: '0193a1b2-0000-7000-8000-000000000001', erasedAt: '2025-09-01T10:00:00.000Z' },
  ...ERASURE_REASONS.map((reason, i) => ({ personId: `0193a1b2-0000-7000-8000-00000000001${i}`, erasedAt: '2025-09-02T10:00:00.000Z', reason })),
];

/** Every event the decider emits along the two plans, in order. */
const EMITTED: PartnershipEvent[] = [...runCommands(closedPartnershipPlan()).events, ...runCommands(abandonedPartnershipPlan()).events];
/**
 * Every reminder the pure reminder layer issues (see issueRemindersAlong) along the closed
 * partnership's life, and along the tool path followed by a long pause (the pause check-ins).
 */
const REMINDERS: ReminderIssued[] = [
  ...issueRemindersAlong(runCommands(closedPartnershipPlan()).events),
  ...issueRemindersAlong(
    runCommands([...seedToolPath(), plan('2025-09-01', 'ChangePartnershipStatus', { status: 'paused', reason: 'district budget freeze' })]).events,
  ),
];

describe('the published schemas (event-schemas.generated.json)', () => {
  it('are exactly what `npm run catalog:generate` writes from the domain types today', () => {
    const committed = readFileSync(EVENT_SCHEMAS_FILE, 'utf8');
    const regenerated = serializeEventSchemas(
      mergeEventSchemas({
        previous: JSON.parse(committed) as EventSchemasFile,
        current: generateCurrentSchemas(),
        sources: EVENT_SCHEMA_SOURCES,
      }),
    );
    if (regenerated !== committed) {
      throw new Error('libs/integrations/src/catalog/event-schemas.generated.json is stale: run npm run catalog:generate');
    }
  });

  it('come from the partnership events (libs/domain), the reminder events (libs/reminders) and the compliance events (libs/platform), and say so', () => {
    expect(EVENT_SCHEMA_SOURCES.map((source) => [source.file, source.dataMap])).toEqual([
      ['libs/domain/src/partnership/partnership.events.ts', 'PartnershipEventDataMap'],
      ['libs/reminders/src/reminder.events.ts', 'ReminderEventDataMap'],
      ['libs/platform/src/people/compliance.events.ts', 'ComplianceEventDataMap'],
    ]);
    expect(EVENT_SCHEMAS.source).toBe(
      'libs/domain/src/partnership/partnership.events.ts#PartnershipEventDataMap libs/reminders/src/reminder.events.ts#ReminderEventDataMap ' +
        'libs/platform/src/people/compliance.events.ts#ComplianceEventDataMap',
    );
    expect(EVENT_SCHEMAS.$comment).toContain('libs/domain (PartnershipEventDataMap, PARTNERSHIP_EVENT_SCHEMA_VERSIONS)');
    expect(EVENT_SCHEMAS.$comment).toContain('libs/reminders (ReminderEventDataMap, REMINDER_EVENT_SCHEMA_VERSIONS)');
    expect(EVENT_SCHEMAS.$comment).toContain('libs/platform (ComplianceEventDataMap, COMPLIANCE_EVENT_SCHEMA_VERSIONS)');
  });

  it('list every event type (partnership types, reminder types, then compliance types) at the version it is written with, with every older version', () => {
    expect(EVENT_CATALOG.map((e) => e.type)).toEqual(ALL_EVENT_TYPES);
    expect(new Set(EVENT_CATALOG.map((e) => e.type))).toEqual(new Set([...PARTNERSHIP_EVENT_TYPES, ...REMINDER_EVENT_TYPES, ...COMPLIANCE_EVENT_TYPES]));
    for (const entry of EVENT_CATALOG) {
      const latest = SCHEMA_VERSIONS[entry.type];
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
  it('drives the real decider through histories that emit every partnership event type', () => {
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

describe('every reminder the reminder layer issues validates against the published ReminderIssued schema', () => {
  it('issues real reminders along a partnership’s life: of several policies, about workstreams and about the partnership', () => {
    expect(new Set(REMINDERS.map((e) => e.type))).toEqual(new Set(REMINDER_EVENT_TYPES));
    expect(new Set(REMINDERS.map((e) => e.data.policy)).size).toBeGreaterThanOrEqual(3);
    expect(REMINDERS.some((e) => e.data.workstreamId !== undefined)).toBe(true);
    expect(REMINDERS.some((e) => e.data.workstreamId === undefined)).toBe(true);
    expect(REMINDERS.some((e) => e.data.escalation > 0)).toBe(true);
  });

  it('validates the data of each issued reminder with its schema', () => {
    const validate = strictAjv().compile(eventSchemaDocument('ReminderIssued')!.schema);
    const failures = REMINDERS.flatMap((event, i) => {
      const errors = validationErrors(validate, json(event.data));
      return errors ? [`#${i} ${event.data.policy} ${event.data.subject}: ${errors}`] : [];
    });
    expect(failures).toEqual([]);
  });

  it('rejects reminder data the layer would not write: a property too many, a required one missing, an unknown policy or role', () => {
    const validate = strictAjv().compile(eventSchemaDocument('ReminderIssued')!.schema);
    const data = json(REMINDERS[0]!.data) as Record<string, unknown>;
    expect(validate(data)).toBe(true);
    expect(validate({ ...data, recipients: ['ada@example.org'] })).toBe(false);
    const { dueAt: _dropped, ...withoutDueAt } = data;
    expect(validate(withoutDueAt)).toBe(false);
    expect(validate({ ...data, policy: 'R-99' })).toBe(false);
    expect(validate({ ...data, recipientRoles: ['everyone'] })).toBe(false);
  });

  it('publishes ReminderIssued at the version the issuer writes, with a description', () => {
    expect(findEventType('ReminderIssued')).toEqual({
      type: 'ReminderIssued',
      latestVersion: REMINDER_EVENT_SCHEMA_VERSIONS.ReminderIssued,
      versions: [1],
      description: expect.stringContaining('reminders-<partnershipId>'),
    });
    expect(eventTypeName('ReminderIssued', REMINDER_EVENT_SCHEMA_VERSIONS.ReminderIssued)).toBe('trellis.ReminderIssued.v1');
  });
});

describe('PersonalDataErased, the compliance stream\'s event, is published and carries no personal data', () => {
  it('validates every erasure the vault records, and refuses a name, an e-mail or a free-text reason', () => {
    const validate = strictAjv().compile(eventSchemaDocument('PersonalDataErased')!.schema);
    for (const data of ERASURES) expect(validationErrors(validate, json(data))).toBeUndefined();
    const data = json(ERASURES[1]) as Record<string, unknown>;
    expect(validate({ ...data, displayName: 'Ana Pérez' })).toBe(false);
    expect(validate({ ...data, email: 'ana@district.example' })).toBe(false);
    expect(validate({ ...data, reason: 'Ana asked on the phone' })).toBe(false);
    const { personId: _dropped, ...withoutPerson } = data;
    expect(validate(withoutPerson)).toBe(false);
  });

  it('is at the version the vault writes, with a description', () => {
    expect(findEventType('PersonalDataErased')).toEqual({
      type: 'PersonalDataErased',
      latestVersion: COMPLIANCE_EVENT_SCHEMA_VERSIONS.PersonalDataErased,
      versions: [1],
      description: expect.stringContaining('compliance'),
    });
  });
});

describe('mergeEventSchemas: a published version is never rewritten', () => {
  const v1: JsonSchema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false };
  const v2: JsonSchema = { ...v1, properties: { a: { type: 'string' }, b: { type: 'number' } } };
  const published = (events: EventSchemasFile['events']): EventSchemasFile => ({ $comment: '', source: '', events });
  /** A source of the given types and versions (in this order). */
  const source = (versions: Record<string, number>, name = 'a'): EventSchemaSource => ({
    file: `libs/${name}/src/${name}.events.ts`,
    dataMap: `${name.toUpperCase()}EventDataMap`,
    versionsName: `${name.toUpperCase()}_EVENT_SCHEMA_VERSIONS`,
    types: Object.keys(versions),
    versions,
  });

  it('keeps the older versions as published when the domain moves a type to a new version', () => {
    const file = mergeEventSchemas({ previous: published({ A: { 1: v1 } }), current: { A: v2 }, sources: [source({ A: 2 })] });
    expect(file.events).toEqual({ A: { 1: v1, 2: v2 } });
  });

  it('refuses a changed shape at a published version, and says to bump the version (unless forced)', () => {
    const merge = (force?: boolean) =>
      mergeEventSchemas({ previous: published({ A: { 1: v1 } }), current: { A: v2 }, sources: [source({ A: 1 })], force });
    expect(() => merge()).toThrow(CatalogGenerationError);
    expect(() => merge()).toThrow(/A v1 is published and its shape changed: bump A_EVENT_SCHEMA_VERSIONS.A to 2/);
    expect(merge(true).events).toEqual({ A: { 1: v2 } });
  });

  it('lets descriptions be reworded at a published version', () => {
    const reworded = { ...v1, description: 'new words', properties: { a: { type: 'string', description: 'an a' } } };
    const file = mergeEventSchemas({ previous: published({ A: { 1: v1 } }), current: { A: reworded }, sources: [source({ A: 1 })] });
    expect(file.events['A']).toEqual({ 1: reworded });
  });

  it('treats a property named like an annotation as shape', () => {
    const withTitle = { ...v1, properties: { a: { type: 'string' }, title: { type: 'string' } } };
    expect(() =>
      mergeEventSchemas({ previous: published({ A: { 1: v1 } }), current: { A: withTitle }, sources: [source({ A: 1 })] }),
    ).toThrow(/shape changed/);
  });

  it('refuses to drop an event type, to go back a version, or to skip one, naming every problem (even when forced)', () => {
    const attempt = () =>
      mergeEventSchemas({
        previous: published({ A: { 1: v1, 2: v2 }, Gone: { 1: v1 } }),
        current: { A: v1, C: v1 },
        sources: [source({ A: 1, C: 3 })],
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

  it('merges several sources in order, each type with its own versions, names them all, and keeps what each published', () => {
    const file = mergeEventSchemas({
      previous: published({ B: { 1: v1 }, A: { 1: v1 } }),
      current: { A: v2, B: v1, R: v1 },
      sources: [source({ B: 1, A: 2 }, 'a'), source({ R: 1 }, 'r')],
    });
    expect(Object.keys(file.events)).toEqual(['B', 'A', 'R']);
    expect(file.events).toEqual({ B: { 1: v1 }, A: { 1: v1, 2: v2 }, R: { 1: v1 } });
    expect(file.source).toBe('libs/a/src/a.events.ts#AEventDataMap libs/r/src/r.events.ts#REventDataMap');
    expect(file.$comment).toContain('from libs/a (AEventDataMap, A_EVENT_SCHEMA_VERSIONS) and libs/r (REventDataMap, R_EVENT_SCHEMA_VERSIONS)');
  });

  it('names the source of a problem: its versions constant, its data map', () => {
    const attempt = () =>
      mergeEventSchemas({
        previous: published({ R: { 1: v1 } }),
        current: { A: v1, R: v2 },
        sources: [source({ A: 1, M: 1 }, 'a'), source({ R: 1 }, 'r')],
      });
    expect(attempt).toThrow(CatalogGenerationError);
    try {
      attempt();
    } catch (error) {
      expect((error as CatalogGenerationError).problems).toEqual([
        'M has no data type in AEventDataMap',
        'R v1 is published and its shape changed: bump R_EVENT_SCHEMA_VERSIONS.R to 2 and add an upcaster from v1 (or run with --force if v1 was never released)',
      ]);
    }
  });

  it('refuses an event type declared by two sources (even when forced)', () => {
    const attempt = () =>
      mergeEventSchemas({ previous: undefined, current: { A: v1 }, sources: [source({ A: 1 }, 'a'), source({ A: 1 }, 'r')], force: true });
    expect(attempt).toThrow('A is an event type of both libs/a/src/a.events.ts and libs/r/src/r.events.ts (event types are unique across the catalog)');
  });

  it('refuses to drop a published reminder type like any other', () => {
    expect(() =>
      mergeEventSchemas({ previous: published({ A: { 1: v1 }, ReminderIssued: { 1: v1 } }), current: { A: v1 }, sources: [source({ A: 1 })] }),
    ).toThrow(/ReminderIssued is published but no longer an event type/);
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
    const recordedEvents = [...EMITTED.map(asRecorded), ...REMINDERS.map(asRecordedReminder), ...ERASURES.map(asRecordedErasure)];
    expect(new Set(recordedEvents.map((e) => e.type))).toEqual(new Set(ALL_EVENT_TYPES));
    recordedEvents.forEach((recorded, i) => {
      const cloudEvent = json(toCloudEvent(recorded));
      const envelope = json({ ...recorded, revision: String(recorded.revision), position: String(recorded.position) });
      for (const [kind, value] of [['cloudevent', cloudEvent], ['envelope', envelope]] as const) {
        const errors = validationErrors(schemaAt(`/components/messages/${recorded.type}.v${recorded.schemaVersion}.${kind}/payload`), value);
        if (errors) failures.push(`#${i} ${recorded.type} ${kind}: ${errors}`);
      }
    });
    expect(failures).toEqual([]);
  });

  it('delivers a ReminderIssued from reminders-<partnershipId> as an event of the partnership (source, subject, feed filter)', () => {
    const schemaAt = asyncApiSchemas(EVENT_CATALOG_ASYNCAPI);
    const withWorkstream = REMINDERS.find((e) => e.data.workstreamId !== undefined)!;
    const { partnershipId } = withWorkstream.data;
    const recorded = asRecordedReminder(withWorkstream, 7);
    expect(recorded.streamId).toBe(`reminders-${partnershipId}`);
    expect(recorded.metadata).toMatchObject({ partnershipId, workstreamId: withWorkstream.data.workstreamId });
    const cloudEvent = toCloudEvent(recorded);
    expect(cloudEvent).toMatchObject({
      type: 'trellis.ReminderIssued.v1',
      source: `/partnerships/${partnershipId}`,
      subject: partnershipId,
      id: recorded.eventId,
      data: recorded.data,
    });
    expect(strictAjv().compile(CLOUD_EVENT_SCHEMA)(json(cloudEvent))).toBe(true);
    expect(strictAjv().compile(EVENT_ENVELOPE_SCHEMA)(json({ ...recorded, revision: '7', position: '1007' }))).toBe(true);

    // The envelope message pins the stream: a reminder is never in a partnership stream, nor a fact in a reminder stream.
    expect(streamPrefixOf('ReminderIssued')).toBe('reminders-');
    expect(streamPrefixOf('PartnershipProposed')).toBe('partnership-');
    const reminderEnvelope = schemaAt('/components/messages/ReminderIssued.v1.envelope/payload');
    const envelope = json({ ...recorded, revision: '7', position: '1007' }) as Record<string, unknown>;
    expect(reminderEnvelope(envelope)).toBe(true);
    expect(reminderEnvelope({ ...envelope, streamId: `partnership-${partnershipId}` })).toBe(false);
    const { partnershipId: _dropped, ...metadataWithoutPartnership } = envelope['metadata'] as Record<string, unknown>;
    expect(reminderEnvelope({ ...envelope, metadata: metadataWithoutPartnership })).toBe(false);
    const proposed = json({ ...asRecorded(EMITTED[0]!, 0), revision: '0', position: '1000' }) as Record<string, unknown>;
    expect(schemaAt('/components/messages/PartnershipProposed.v1.envelope/payload')({ ...proposed, streamId: `reminders-${PARTNERSHIP_ID}` })).toBe(false);
  });

  it('delivers PersonalDataErased from the compliance stream as an event of no partnership (source /streams/compliance, no subject)', () => {
    const schemaAt = asyncApiSchemas(EVENT_CATALOG_ASYNCAPI);
    const recorded = asRecordedErasure(ERASURES[1]!, 3);
    const cloudEvent = toCloudEvent(recorded);
    expect(cloudEvent).toMatchObject({ type: 'trellis.PersonalDataErased.v1', source: '/streams/compliance', id: recorded.eventId, data: recorded.data });
    expect(cloudEvent).not.toHaveProperty('subject');
    expect(strictAjv().compile(CLOUD_EVENT_SCHEMA)(json(cloudEvent))).toBe(true);
    const envelope = json({ ...recorded, revision: '3', position: '9003' }) as Record<string, unknown>;
    expect(strictAjv().compile(EVENT_ENVELOPE_SCHEMA)(envelope)).toBe(true);

    const erasureEnvelope = schemaAt('/components/messages/PersonalDataErased.v1.envelope/payload');
    expect(erasureEnvelope(envelope)).toBe(true);
    expect(erasureEnvelope({ ...envelope, streamId: `partnership-${PARTNERSHIP_ID}` })).toBe(false);
    expect(erasureEnvelope({ ...envelope, metadata: { ...(envelope['metadata'] as object), partnershipId: PARTNERSHIP_ID } })).toBe(false);
    const erasureWebhook = schemaAt('/components/messages/PersonalDataErased.v1.cloudevent/payload');
    expect(erasureWebhook(json(cloudEvent))).toBe(true);
    expect(erasureWebhook({ ...(json(cloudEvent) as object), source: `/partnerships/${PARTNERSHIP_ID}` })).toBe(false);
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
  const at = event.metadata?.recordedAt ?? '2025-01-01T10:00:00.000Z';
  const workstreamId = (event.data as { workstreamId?: string }).workstreamId;
  return {
    eventId: uuidv7(),
    type: event.type,
    schemaVersion: PARTNERSHIP_EVENT_SCHEMA_VERSIONS[event.type],
    streamId: `partnership-${PARTNERSHIP_ID}`,
    revision: BigInt(index),
    position: BigInt(1000 + index),
    data: json(event.data) as JsonObject,
    metadata: {
      partnershipId: PARTNERSHIP_ID,
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

/**
 * An issued reminder as the reminder issuer appends it: to `reminders-<partnershipId>`, at the
 * reminders' schema version, with metadata.partnershipId (and workstreamId) set (placeholder hashes).
 */
function asRecordedReminder(event: ReminderIssued, index: number): RecordedEvent {
  const at = event.metadata?.recordedAt ?? event.data.dueAt;
  const { partnershipId, workstreamId } = event.data;
  return {
    eventId: event.metadata?.eventId ?? uuidv7(),
    type: event.type,
    schemaVersion: REMINDER_EVENT_SCHEMA_VERSIONS[event.type],
    streamId: remindersStreamId(partnershipId),
    revision: BigInt(index),
    position: BigInt(5000 + index),
    data: json(event.data) as JsonObject,
    metadata: {
      partnershipId,
      ...(workstreamId !== undefined ? { workstreamId } : {}),
      occurredAt: event.metadata?.occurredAt ?? at,
      recordedAt: at,
      recordedBy: { apiKeyId: 'trellis-reminders' },
      correlationId: `job-${index}`,
      causationId: event.data.subject.split('/').slice(2).join('/'),
      prevHash: '0'.repeat(64),
      hash: 'b'.repeat(64),
    },
  };
}

/** An erasure as the people vault appends it: to `compliance`, with no partnership (placeholder hashes). */
function asRecordedErasure(data: PersonalDataErasedData, index: number): RecordedEvent {
  const eventId = uuidv7();
  return {
    eventId,
    type: 'PersonalDataErased',
    schemaVersion: COMPLIANCE_EVENT_SCHEMA_VERSIONS.PersonalDataErased,
    streamId: COMPLIANCE_STREAM_ID,
    revision: BigInt(index),
    position: BigInt(9000 + index),
    data: json(data) as JsonObject,
    metadata: {
      occurredAt: data.erasedAt,
      recordedAt: data.erasedAt,
      recordedBy: { apiKeyId: 'key-1' },
      correlationId: `corr-${index}`,
      causationId: eventId,
      prevHash: '0'.repeat(64),
      hash: 'c'.repeat(64),
    },
  };
}

/**
 * What a scheduler that never misses a due time issues along a history: before each event, every
 * pending reminder already due is issued (`toReminderIssued`, the issuer's event id) and folded back
 * into the reminder state (so it is not issued again); after the last, a year passes, a week at a time.
 */
function issueRemindersAlong(history: readonly PartnershipEvent[]): ReminderIssued[] {
  const settings = defaultReminderSettings();
  const issued: ReminderIssued[] = [];
  let state: ReminderState = initialReminderState();
  const issueDue = (now: string) => {
    for (const reminder of pendingReminders(state, settings, now)) {
      if (Date.parse(reminder.dueAt) > Date.parse(now)) continue;
      const event: ReminderIssued = {
        type: 'ReminderIssued',
        data: toReminderIssued(reminder),
        metadata: { eventId: reminderEventId(reminder), occurredAt: now, recordedAt: now },
      };
      issued.push(event);
      state = evolveReminderState(state, event);
    }
  };
  for (const event of history) {
    issueDue(event.metadata!.occurredAt);
    state = evolveReminderState(state, event);
  }
  const end = Date.parse(history.at(-1)!.metadata!.occurredAt);
  for (let week = 1; week <= 52; week++) issueDue(new Date(end + week * 7 * 86_400_000).toISOString());
  return issued;
}
