/**
 * The EventStoreDB mapping rules, without a server (none can run on these machines; the shared
 * contract suite runs against a real one in esdb.event-store.int-spec.ts when EVENTSTORE_URL is set).
 */
import { StreamNotFoundError, UnavailableError, WrongExpectedVersionError } from '@eventstore/db-client';
import { InvalidAppendError } from '../../core/event-store.errors';
import type { AllFilter } from '../../core/event-store.port';
import { GENESIS_HASH, chainEvents, verifyChain } from '../../core/hash-chain';
import { serverFilterMatches } from './fake-esdb.gateway';
import {
  appendIdOf,
  checkpointEventPosition,
  classifyExistingIds,
  decodeRecord,
  encodeEvent,
  esdbErrorKind,
  escapeRegex,
  fromEsdbCurrentRevision,
  fromPositionAfter,
  isSystemRecord,
  positionOf,
  toEsdbExpectedRevision,
  translateFilter,
  type EsdbRecord,
} from './esdb-mapping';
import { expectationRefusal } from './esdb.event-store';

const record = (streamId: string, type: string): Pick<EsdbRecord, 'streamId' | 'type'> => ({ streamId, type });

describe('EventStoreDB mapping', () => {
  describe('revisions and expected revisions', () => {
    it('passes the symbolic expectations and exact revisions through, -1n as no_stream', () => {
      expect(toEsdbExpectedRevision('no_stream')).toBe('no_stream');
      expect(toEsdbExpectedRevision('stream_exists')).toBe('stream_exists');
      expect(toEsdbExpectedRevision('any')).toBe('any');
      expect(toEsdbExpectedRevision(0n)).toBe(0n);
      expect(toEsdbExpectedRevision(41n)).toBe(41n);
      expect(toEsdbExpectedRevision(-1n)).toBe('no_stream');
    });

    it("reads the client's current revision as the port's actual (-1n for no stream)", () => {
      expect(fromEsdbCurrentRevision('no_stream')).toBe(-1n);
      expect(fromEsdbCurrentRevision(7n)).toBe(7n);
      expect(fromEsdbCurrentRevision(undefined)).toBe(-1n);
      const error = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 3n, current: 5n });
      expect(fromEsdbCurrentRevision(error.actualVersion)).toBe(5n);
    });

    it('checks an expectation against the head exactly', () => {
      expect(expectationRefusal('any', -1n)).toBeUndefined();
      expect(expectationRefusal('any', 4n)).toBeUndefined();
      expect(expectationRefusal('no_stream', -1n)).toBeUndefined();
      expect(expectationRefusal('no_stream', 0n)).toBe(0n);
      expect(expectationRefusal('stream_exists', -1n)).toBe(-1n);
      expect(expectationRefusal('stream_exists', 2n)).toBeUndefined();
      expect(expectationRefusal(2n, 2n)).toBeUndefined();
      expect(expectationRefusal(1n, 2n)).toBe(2n);
      expect(expectationRefusal(5n, 2n)).toBe(2n);
      expect(expectationRefusal(0n, -1n)).toBe(-1n);
      expect(expectationRefusal(-1n, -1n)).toBeUndefined();
    });
  });

  describe('positions', () => {
    const at = (commit: bigint, prepare = commit) => ({ streamId: 's', revision: 0n, position: { commit, prepare } });

    it("uses an event's commit position (equal to its prepare position) as the port position", () => {
      expect(positionOf(at(1234n))).toBe(1234n);
    });

    it('refuses events without a position (servers before 22.6) and events of explicit transactions', () => {
      expect(() => positionOf({ streamId: 's', revision: 0n })).toThrow(/≥ 22\.6/);
      expect(() => positionOf(at(18446744073709551615n))).toThrow(/≥ 22\.6/);
      expect(() => positionOf(at(2000n, 1800n))).toThrow(/explicit transactions/);
    });

    it('resumes after a position with the exclusive server position {p, p}, and from the start for 0n', () => {
      expect(fromPositionAfter(0n)).toBe('start');
      expect(fromPositionAfter(1234n)).toEqual({ commit: 1234n, prepare: 1234n });
    });

    it('takes a checkpoint at an event as is and leaves a page boundary to be resolved', () => {
      expect(checkpointEventPosition({ commit: 500n, prepare: 500n })).toBe(500n);
      expect(checkpointEventPosition({ commit: 500n, prepare: 0n })).toBeUndefined();
    });
  });

  describe('filters', () => {
    const check = (filter: AllFilter | undefined, streamId: string, type: string) => {
      const translated = translateFilter(filter);
      return serverFilterMatches(translated.server, { streamId, type }) && translated.matches({ streamId, type });
    };

    it('sends event types to the server as an exact-match regex (no prefix leaks), escaped', () => {
      const { server } = translateFilter({ eventTypes: ['OrderPlaced', 'a.b+c'] });
      expect(server).toEqual({ filterOn: 'eventType', regex: '^(?:OrderPlaced|a\\.b\\+c)$' });
      expect(check({ eventTypes: ['OrderPlaced', 'a.b+c'] }, 'order-1', 'OrderPlaced')).toBe(true);
      expect(check({ eventTypes: ['OrderPlaced', 'a.b+c'] }, 'order-1', 'OrderPlacedV2')).toBe(false);
      expect(check({ eventTypes: ['OrderPlaced', 'a.b+c'] }, 'order-1', 'aXbbc')).toBe(false);
      expect(check({ eventTypes: ['OrderPlaced', 'a.b+c'] }, 'order-1', 'a.b+c')).toBe(true);
      expect(escapeRegex('(x)[y]{z}^$|?*')).toBe('\\(x\\)\\[y\\]\\{z\\}\\^\\$\\|\\?\\*');
    });

    it('sends stream prefixes to the server as prefixes, literally', () => {
      const { server } = translateFilter({ streamPrefix: ['partnership-', 'a%_'] });
      expect(server).toEqual({ filterOn: 'streamName', prefixes: ['partnership-', 'a%_'] });
      expect(translateFilter({ streamPrefix: 'reminders-' }).server).toEqual({ filterOn: 'streamName', prefixes: ['reminders-'] });
      expect(check({ streamPrefix: 'a%_' }, 'a%_b', 'T')).toBe(true);
      expect(check({ streamPrefix: 'a%_' }, 'aXYb', 'T')).toBe(false);
    });

    it('with both, filters types on the server and stream prefixes in the adapter', () => {
      const filter: AllFilter = { eventTypes: ['Wanted'], streamPrefix: ['p-'] };
      expect(translateFilter(filter).server).toEqual({ filterOn: 'eventType', regex: '^(?:Wanted)$' });
      expect(check(filter, 'p-1', 'Wanted')).toBe(true);
      // The server lets this through (type matches); the adapter drops it (prefix does not).
      expect(serverFilterMatches(translateFilter(filter).server, record('q-1', 'Wanted'))).toBe(true);
      expect(translateFilter(filter).matches(record('q-1', 'Wanted'))).toBe(false);
      expect(check(filter, 'p-1', 'Other')).toBe(false);
    });

    it('without a filter, excludes system events on the server; system streams are dropped in the adapter too', () => {
      const { server, matches } = translateFilter(undefined);
      expect(server).toEqual({ filterOn: 'eventType', regex: '^[^$]' });
      expect(check(undefined, 'partnership-1', 'PartnershipProposed')).toBe(true);
      expect(check(undefined, '$stats-127.0.0.1:2113', '$statsCollected')).toBe(false);
      expect(matches(record('$$partnership-1', 'NotASystemType'))).toBe(false);
      expect(isSystemRecord(record('$ce-partnership', '$>'))).toBe(true);
      expect(check({ streamPrefix: '$' }, '$stats-1', '$statsCollected')).toBe(false);
    });

    it('empty lists match nothing, as in the SQL stores', () => {
      expect(check({ eventTypes: [] }, 's', 'T')).toBe(false);
      expect(check({ streamPrefix: [] }, 's', 'T')).toBe(false);
    });

    it('refuses filters that are not strings', () => {
      expect(() => translateFilter({ eventTypes: [1 as unknown as string] })).toThrow(InvalidAppendError);
      expect(() => translateFilter({ streamPrefix: [null as unknown as string] })).toThrow(InvalidAppendError);
    });
  });

  describe('events and metadata', () => {
    const [chained] = chainEvents(GENESIS_HASH, [
      {
        eventId: '0190a5f0-0000-7000-8000-000000000001',
        type: 'PartnershipProposed',
        schemaVersion: 3,
        data: { title: 'Reading', nested: { list: [1, 'two', null] } },
        metadata: { correlationId: 'c-1', causationId: 'k-1', partnershipId: 'p-1', recordedBy: { apiKeyId: 'key' } },
      },
    ]);

    it('carries the whole port metadata, the schema version and the append id in the event metadata; round-trips', async () => {
      const data = encodeEvent(chained!, 'append-1');
      expect(data).toMatchObject({ id: chained!.eventId, contentType: 'application/json', type: 'PartnershipProposed', data: chained!.data });
      expect(data.metadata).toEqual({
        trellis: { schemaVersion: 3, appendId: 'append-1' },
        metadata: chained!.metadata,
        $correlationId: 'c-1',
        $causationId: 'k-1',
      });
      // What the server stores is JSON text; read it back the way the client parses it.
      const stored: EsdbRecord = {
        streamId: 'partnership-p-1',
        revision: 0n,
        eventId: chained!.eventId.toUpperCase(),
        type: data.type,
        data: JSON.parse(JSON.stringify(data.data)),
        metadata: JSON.parse(JSON.stringify(data.metadata)),
        position: { commit: 900n, prepare: 900n },
      };
      expect(appendIdOf(stored)).toBe('append-1');
      const decoded = decodeRecord(stored, 900n);
      expect(decoded).toEqual({
        eventId: chained!.eventId,
        type: 'PartnershipProposed',
        schemaVersion: 3,
        streamId: 'partnership-p-1',
        revision: 0n,
        position: 900n,
        data: chained!.data,
        metadata: chained!.metadata,
      });
      expect((await verifyChain([decoded])).valid).toBe(true);
    });

    it('presents events written by other tools as version 1 without a chain', () => {
      const foreign = decodeRecord(
        { streamId: 'legacy', revision: 4n, eventId: 'id', type: 'Old', data: { a: 1 }, metadata: { who: 'x' } },
        10n,
      );
      expect(foreign).toMatchObject({ schemaVersion: 1, data: { a: 1 }, metadata: { who: 'x', prevHash: '', hash: '' } });
      expect(appendIdOf({ metadata: undefined })).toBeUndefined();
    });
  });

  describe('idempotent re-appends', () => {
    const stored = new Map([
      ['a', { revision: 2n, position: 100n }],
      ['b', { revision: 3n, position: 200n }],
      ['c', { revision: 5n, position: 400n }],
    ]);
    const lookup = (id: string) => stored.get(id);

    it('is a duplicate when every id is stored, contiguous, in order', () => {
      expect(classifyExistingIds(['a', 'b'], lookup)).toEqual({
        kind: 'duplicate',
        events: [
          { eventId: 'a', revision: 2n, position: 100n },
          { eventId: 'b', revision: 3n, position: 200n },
        ],
      });
    });

    it('is nothing when no id is stored', () => {
      expect(classifyExistingIds(['x', 'y'], lookup)).toEqual({ kind: 'none' });
    });

    it('is a conflict on a partial overlap, another order or a gap', () => {
      expect(classifyExistingIds(['a', 'b', 'new'], lookup)).toEqual({ kind: 'conflict', eventIds: ['a', 'b'] });
      expect(classifyExistingIds(['b', 'a'], lookup)).toEqual({ kind: 'conflict', eventIds: ['b', 'a'] });
      expect(classifyExistingIds(['b', 'c'], lookup)).toEqual({ kind: 'conflict', eventIds: ['b', 'c'] });
      expect(classifyExistingIds(['new', 'a'], lookup)).toEqual({ kind: 'conflict', eventIds: ['a'] });
    });
  });

  describe('errors', () => {
    it("recognises the client's error classes", () => {
      expect(esdbErrorKind(new WrongExpectedVersionError(undefined, { streamName: 's', expected: 1n, current: 'no_stream' }))).toBe(
        'wrong_expected_version',
      );
      expect(esdbErrorKind(new StreamNotFoundError(undefined, 's'))).toBe('stream_not_found');
      expect(esdbErrorKind(new UnavailableError(undefined, 'down'))).toBe('unavailable');
      expect(esdbErrorKind(new Error('boom'))).toBe('other');
      expect(esdbErrorKind(undefined)).toBe('other');
    });
  });
});
