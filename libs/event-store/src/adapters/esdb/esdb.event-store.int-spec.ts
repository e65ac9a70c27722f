/**
 * The EventStoreDB adapter against the shared contract suite — only when EVENTSTORE_URL names a
 * server (e.g. `esdb://127.0.0.1:2113?tls=false`, see docker/compose.yml). No EventStoreDB server
 * can run on the development machines, so there the suite is reported as skipped under a name that
 * says so, never as passed. The adapter's logic is unit-tested without a server next to this file.
 *
 * Every test works in streams and event types unique to the run (the suite prefixes them with a
 * random run id), so a shared server is fine; the few assertions on the global head
 * (`headPosition`) expect no OTHER client to append non-system events meanwhile.
 */
import { describeEventStoreContract } from '../../testing';
import { createEsdbEventStore } from './esdb.event-store';

const EVENTSTORE_URL = process.env['EVENTSTORE_URL'];

if (EVENTSTORE_URL) {
  describeEventStoreContract(
    `EventStoreDB (${EVENTSTORE_URL.replace(/\/\/[^@/]*@/, '//***@')})`,
    async ({ upcasters, pollIntervalMs }) => {
      const open = () => createEsdbEventStore({ connectionString: EVENTSTORE_URL, upcasters, idleCheckpointMs: pollIntervalMs });
      // Separate clients, as separate processes would hold them: appends really race on the server.
      const [store, ...peers] = await Promise.all([open(), open(), open(), open()]);
      return {
        store: store!,
        peers,
        async teardown() {
          await Promise.all([store!, ...peers].map((s) => s.close()));
        },
      };
    },
    // Events are immutable on the server (no tampering fixture); event ids are unique per stream only.
    { uniqueEventIdsAcrossStreams: false },
  );
} else {
  const notRun = 'EventStoreDB contract suite NOT RUN: EVENTSTORE_URL is not set (no EventStoreDB server on this machine)';
  // Straight to stderr (Jest's console capture drops the output of a file whose tests are all skipped):
  // the one line of the run that says this suite did not run.
  process.stderr.write(`\n${notRun}\n`);
  // Skipped because no EventStoreDB server can run on these machines (EVENTSTORE_URL unset): the
  // suite is reported under a name that says it did not run, never as passed.
  describe.skip(notRun, () => { // skipped: no EventStoreDB server can run here (EVENTSTORE_URL unset)
    it('runs the shared EventStore contract suite against a real EventStoreDB server', () => undefined);
  });
}
