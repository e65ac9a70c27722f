/**
 * Exports with the `people` annotation beside each envelope: the envelope (and so every hash) is the
 * same with or without it, and the offline verification reads both kinds of files.
 */
import { chainEvents } from '../core/hash-chain';
import type { RecordedEvent } from '../core/event-store.port';
import { CSV_COLUMNS, CSV_HEADER, parseExport, toCsvRow, toExportedEvent, toNdjsonLine, verifyExport } from './audit-export';

const STREAM = 'partnership-0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

function history(): RecordedEvent[] {
  const events = chainEvents('0'.repeat(64), [
    { eventId: '0193a1b2-0000-7000-8000-000000000001', type: 'PartnershipProposed', schemaVersion: 1, data: { name: 'RPP, "quoted"' }, metadata: { occurredAt: '2025-01-01T10:00:00.000Z', recordedAt: '2025-01-01T10:00:00.000Z' } },
    { eventId: '0193a1b2-0000-7000-8000-000000000002', type: 'ParticipantJoined', schemaVersion: 1, data: { participantId: 'p-ana', organizationId: 'org-d', roles: ['practitioner'], personId: '0193a1b2-0000-7000-8000-0000000000aa' }, metadata: { occurredAt: '2025-01-02T10:00:00.000Z', recordedAt: '2025-01-02T10:00:00.000Z' } },
  ]);
  return events.map((e, i) => ({ ...e, streamId: STREAM, revision: BigInt(i), position: BigInt(100 + i) }));
}

const PEOPLE = { 'p-ana': 'Ana Pérez, "Coach"' };
const ERASED = { 'p-ana': 'erased participant (practitioner, school_district)' };

describe('exports with people beside the envelope', () => {
  it('NDJSON: the annotation follows the envelope, which is byte-identical to an export without it', () => {
    const [proposed, joined] = history();
    expect(toNdjsonLine(proposed!, {})).toBe(toNdjsonLine(proposed!));
    const line = toNdjsonLine(joined!, PEOPLE);
    const plain = toNdjsonLine(joined!);
    expect(line.startsWith(plain.slice(0, -2))).toBe(true); // same bytes up to the closing brace
    expect(JSON.parse(line)).toEqual({ ...toExportedEvent(joined!), people: PEOPLE });
  });

  it('NDJSON: verifies offline with the annotation, and the annotation is read back', async () => {
    const text = history().map((e) => toNdjsonLine(e, e.revision === 1n ? PEOPLE : undefined)).join('');
    const events = parseExport(text, 'ndjson');
    expect(events[1]!.people).toEqual(PEOPLE);
    expect(await verifyExport(events)).toMatchObject({ valid: true, streams: [{ checkedEvents: 2 }] });
  });

  it('a later export carrying the erased label verifies the same chain: labels are not hashed', async () => {
    const before = parseExport(history().map((e) => toNdjsonLine(e, PEOPLE)).join(''), 'ndjson');
    const after = parseExport(history().map((e) => toNdjsonLine(e, ERASED)).join(''), 'ndjson');
    const [a, b] = [await verifyExport(before), await verifyExport(after)];
    expect(a.valid && b.valid).toBe(true);
    expect(a.streams[0]!.headHash).toBe(b.streams[0]!.headHash);
  });

  it('CSV: a trailing people column (a JSON cell, empty when nobody linked is named), read back and verified', async () => {
    expect(CSV_HEADER).toBe('position,revision,eventId,type,schemaVersion,streamId,occurredAt,recordedAt,prevHash,hash,data,metadata,people\r\n');
    const [proposed, joined] = history();
    expect(toCsvRow(proposed!).endsWith(',\r\n')).toBe(true);
    const text = CSV_HEADER + toCsvRow(proposed!) + toCsvRow(joined!, PEOPLE);
    const events = parseExport(text, 'csv');
    expect(events[0]).not.toHaveProperty('people');
    expect(events[1]!.people).toEqual(PEOPLE);
    expect(await verifyExport(events)).toMatchObject({ valid: true });
  });

  it('CSV: still reads and verifies exports made before the people column', async () => {
    const legacyColumns = CSV_COLUMNS.slice(0, -1);
    const text = `${legacyColumns.join(',')}\r\n${history()
      .map((e) => toCsvRow(e).replace(/,\r\n$/, '\r\n'))
      .join('')}`;
    const events = parseExport(text, 'csv');
    expect(events).toHaveLength(2);
    expect(await verifyExport(events)).toMatchObject({ valid: true });
    expect(() => parseExport('position,revision\r\n1,2\r\n', 'csv')).toThrow(/CSV header must be/);
  });

  it('an edited envelope still fails, whatever the annotation says; a broken people cell is reported', async () => {
    const text = history().map((e) => toNdjsonLine(e, PEOPLE)).join('').replace('"practitioner"', '"researcher"');
    expect(await verifyExport(parseExport(text, 'ndjson'))).toMatchObject({ valid: false, streams: [{ firstInvalidRevision: '1' }] });
    const [, joined] = history();
    const bad = CSV_HEADER + toCsvRow(joined!).replace(/,\r\n$/, ',{not json\r\n');
    expect(() => parseExport(bad, 'csv')).toThrow(/people is not JSON/);
  });
});
