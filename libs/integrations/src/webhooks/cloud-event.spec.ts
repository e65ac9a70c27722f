import { CloudEvent as SdkCloudEvent, HTTP } from 'cloudevents';
import type { RecordedEvent } from '@trellis/event-store';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  cloudEventSequence,
  parseCloudEventType,
  positionFromSequence,
  serializeCloudEvent,
  toCloudEvent,
} from './cloud-event';

const PARTNERSHIP_ID = '01900000-0000-7000-8000-0000000000aa';
const recorded = (overrides: Partial<RecordedEvent> = {}): RecordedEvent => ({
  eventId: '01900000-0000-7000-8000-000000000001',
  type: 'PartnershipProposed',
  schemaVersion: 2,
  streamId: `partnership-${PARTNERSHIP_ID}`,
  revision: 0n,
  position: 42n,
  data: { partnershipId: PARTNERSHIP_ID, name: 'Reading together — Ünïcode "quoted"', types: ['research'] },
  metadata: {
    partnershipId: PARTNERSHIP_ID,
    occurredAt: '2026-11-20T09:00:00.000Z',
    recordedAt: '2026-11-20T09:00:01.250Z',
    correlationId: 'c-1',
    prevHash: 'p',
    hash: 'h',
  },
  ...overrides,
});

describe('toCloudEvent', () => {
  it('maps a recorded event exactly as DESIGN.md §6 says', () => {
    expect(toCloudEvent(recorded())).toEqual({
      specversion: '1.0',
      id: '01900000-0000-7000-8000-000000000001',
      source: `/partnerships/${PARTNERSHIP_ID}`,
      type: 'trellis.PartnershipProposed.v2',
      subject: PARTNERSHIP_ID,
      time: '2026-11-20T09:00:01.250Z',
      datacontenttype: 'application/json',
      sequence: '00000000000000000042',
      data: recorded().data,
    });
  });

  it('takes the partnership from the stream name when the metadata has none', () => {
    const event = toCloudEvent(recorded({ metadata: { recordedAt: '2026-11-20T09:00:01Z', prevHash: 'p', hash: 'h' } }));
    expect(event.source).toBe(`/partnerships/${PARTNERSHIP_ID}`);
    expect(event.subject).toBe(PARTNERSHIP_ID);
  });

  it('still yields a valid event for a stream that is not a partnership', () => {
    const event = toCloudEvent(recorded({ streamId: 'other stream', metadata: { prevHash: 'p', hash: 'h' } }));
    expect(event.source).toBe('/streams/other%20stream');
    expect(event).not.toHaveProperty('subject');
    expect(event).not.toHaveProperty('time');
    expect(() => new SdkCloudEvent({ ...event })).not.toThrow();
  });

  it('makes sequence order lexicographically like position (sequence extension)', () => {
    const positions = [9n, 10n, 100n, 2n ** 63n - 1n, 0n, 18446744073709551615n];
    const sequences = positions.map(cloudEventSequence);
    expect([...sequences].sort()).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)).map(cloudEventSequence));
    expect(sequences.every((s) => s.length === 20)).toBe(true);
    expect(sequences.map(positionFromSequence)).toEqual(positions);
    expect(() => cloudEventSequence(-1n)).toThrow(RangeError);
    expect(() => positionFromSequence('12a')).toThrow(RangeError);
  });

  it('has a type that parses back to the event type and schema version', () => {
    expect(parseCloudEventType('trellis.PartnershipProposed.v2')).toEqual({ eventType: 'PartnershipProposed', schemaVersion: 2 });
    expect(parseCloudEventType('com.example.PartnershipProposed.v2')).toBeNull();
    expect(parseCloudEventType('trellis.PartnershipProposed.v0')).toBeNull();
  });
});

describe('serializeCloudEvent', () => {
  const body = serializeCloudEvent(toCloudEvent(recorded()));

  it('is compact JSON with a stable attribute order (the signed bytes)', () => {
    expect(body).toBe(
      `{"specversion":"1.0","id":"01900000-0000-7000-8000-000000000001","source":"/partnerships/${PARTNERSHIP_ID}",` +
        `"type":"trellis.PartnershipProposed.v2","subject":"${PARTNERSHIP_ID}","time":"2026-11-20T09:00:01.250Z",` +
        `"datacontenttype":"application/json","sequence":"00000000000000000042","data":${JSON.stringify(recorded().data)}}`,
    );
    expect(serializeCloudEvent(toCloudEvent(recorded()))).toBe(body);
  });

  it('parses as a valid structured-mode CloudEvent with the CloudEvents SDK', () => {
    const parsed = HTTP.toEvent({ headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE }, body });
    expect(parsed).toBeInstanceOf(SdkCloudEvent);
    const event = parsed as SdkCloudEvent<unknown>;
    expect(event.validate()).toBe(true);
    expect(event.specversion).toBe('1.0');
    expect(event.id).toBe('01900000-0000-7000-8000-000000000001');
    expect(event.source).toBe(`/partnerships/${PARTNERSHIP_ID}`);
    expect(event.type).toBe('trellis.PartnershipProposed.v2');
    expect(event.subject).toBe(PARTNERSHIP_ID);
    expect(event.time).toBe('2026-11-20T09:00:01.250Z');
    expect(event.datacontenttype).toBe('application/json');
    expect(event['sequence']).toBe('00000000000000000042');
    expect(event.data).toEqual(recorded().data);
  });

  it('passes the SDK strict validation (extension names, attribute types)', () => {
    expect(() => new SdkCloudEvent(JSON.parse(body), true)).not.toThrow();
  });
});
