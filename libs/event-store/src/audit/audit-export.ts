/**
 * Audit exports (NDJSON and CSV) and their offline verification. An export holds each event's full
 * stored envelope, so anyone can recompute the hash chain without access to Trellis: parse the file,
 * group events by stream, and check every link and hash (`verifyChain`).
 *
 * Beside the envelope (never inside it) an exported event may carry `people`: the display names of
 * the participants it names, resolved from the people vault when the export was made (DESIGN.md §9).
 * It is an annotation outside the hashed fields: it does not enter verification, and an export made
 * after an erasure simply carries the erased label instead of the name.
 */
import { verifyChain, type ChainVerification, type VerifiableEvent } from '../core/hash-chain';
import type { JsonObject, RecordedEvent } from '../core/event-store.port';

/** The wire shape of an event: positions and revisions as decimal strings. */
export interface ExportedEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  streamId: string;
  revision: string;
  position: string;
  data: JsonObject;
  metadata: JsonObject;
  /** participantId → display name when exported (an annotation: not hashed, not verified). */
  people?: PeopleAnnotation;
}

export type PeopleAnnotation = Readonly<Record<string, string>>;

const hasPeople = (people: PeopleAnnotation | undefined): people is PeopleAnnotation => people !== undefined && Object.keys(people).length > 0;

export const toExportedEvent = (e: RecordedEvent): ExportedEvent => ({
  eventId: e.eventId,
  type: e.type,
  schemaVersion: e.schemaVersion,
  streamId: e.streamId,
  revision: e.revision.toString(),
  position: e.position.toString(),
  data: e.data,
  metadata: e.metadata,
});

/** The envelope as stored, then `people` when the event names a linked participant. */
export const toNdjsonLine = (e: RecordedEvent, people?: PeopleAnnotation): string =>
  `${JSON.stringify(hasPeople(people) ? { ...toExportedEvent(e), people } : toExportedEvent(e))}\n`;

export const CSV_COLUMNS = [
  'position',
  'revision',
  'eventId',
  'type',
  'schemaVersion',
  'streamId',
  'occurredAt',
  'recordedAt',
  'prevHash',
  'hash',
  'data',
  'metadata',
  'people',
] as const;

/** The columns of exports made before the `people` column existed (still read and verified). */
const LEGACY_CSV_COLUMNS = CSV_COLUMNS.slice(0, -1);

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

/**
 * One RFC 4180 row; `data` and `metadata` are JSON cells, so the CSV carries the whole envelope.
 * `people` is a JSON cell too, empty when the event names no linked participant.
 */
export function toCsvRow(e: RecordedEvent, people?: PeopleAnnotation): string {
  const m = e.metadata as Record<string, unknown>;
  const cells = [
    e.position.toString(),
    e.revision.toString(),
    e.eventId,
    e.type,
    String(e.schemaVersion),
    e.streamId,
    String(m['occurredAt'] ?? ''),
    String(m['recordedAt'] ?? ''),
    String(m['prevHash'] ?? ''),
    String(m['hash'] ?? ''),
    JSON.stringify(e.data),
    JSON.stringify(e.metadata),
    hasPeople(people) ? JSON.stringify(people) : '',
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF line ends). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (quoted) throw new Error('CSV ends inside a quoted field');
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Reads the events of an NDJSON or CSV export. */
export function parseExport(text: string, format: 'ndjson' | 'csv'): ExportedEvent[] {
  if (format === 'ndjson') {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => {
        try {
          return JSON.parse(line) as ExportedEvent;
        } catch {
          throw new Error(`line ${i + 1} is not JSON`);
        }
      });
  }
  const [header, ...rows] = parseCsv(text);
  const columns = header?.join(',');
  if (columns !== CSV_COLUMNS.join(',') && columns !== LEGACY_CSV_COLUMNS.join(',')) throw new Error(`CSV header must be: ${CSV_COLUMNS.join(',')}`);
  return rows
    .filter((r) => r.length > 1 || r[0] !== '')
    .map((r, i) => {
      const cell = (name: (typeof CSV_COLUMNS)[number]) => r[CSV_COLUMNS.indexOf(name)] ?? '';
      let event: ExportedEvent;
      try {
        event = {
          eventId: cell('eventId'),
          type: cell('type'),
          schemaVersion: Number(cell('schemaVersion')),
          streamId: cell('streamId'),
          revision: cell('revision'),
          position: cell('position'),
          data: JSON.parse(cell('data')) as JsonObject,
          metadata: JSON.parse(cell('metadata')) as JsonObject,
        };
      } catch {
        throw new Error(`CSV row ${i + 2}: data or metadata is not JSON`);
      }
      if (cell('people') === '') return event;
      try {
        return { ...event, people: JSON.parse(cell('people')) as PeopleAnnotation };
      } catch {
        throw new Error(`CSV row ${i + 2}: people is not JSON`);
      }
    });
}

export interface ExportVerification {
  readonly valid: boolean;
  readonly streams: ReadonlyArray<ChainVerification & { streamId: string }>;
}

/**
 * Verifies every stream in an export. A stream must start at revision 0 unless `allowPartial`
 * (an export made with `afterRevision` cannot be verified from genesis).
 */
export async function verifyExport(events: readonly ExportedEvent[]): Promise<ExportVerification> {
  const byStream = new Map<string, VerifiableEvent[]>();
  for (const e of events) {
    const list = byStream.get(e.streamId) ?? [];
    // Only the envelope is verified; annotations beside it (`people`) are not part of the chain.
    list.push({ eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata, revision: e.revision });
    byStream.set(e.streamId, list);
  }
  const streams = [];
  for (const [streamId, list] of byStream) {
    list.sort((a, b) => (BigInt(a.revision) < BigInt(b.revision) ? -1 : 1));
    streams.push({ streamId, ...(await verifyChain(list)) });
  }
  return { valid: streams.every((s) => s.valid), streams };
}
