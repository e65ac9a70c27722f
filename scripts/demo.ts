/**
 * `npm run demo`: a first run for a new user (issue 8). On a fresh clone it
 *   1. starts the engine in this process — embedded store (a fresh directory under data/), API and
 *      workers — with reminders on a fast clock (a day lasts a second);
 *   2. subscribes a local webhook receiver, which prints one line per delivered event;
 *   3. plays the two seed scenarios through the HTTP API with their realistic (back-dated) dates: the
 *      district's attendance-tool pilot and the state agency's teacher-retention study;
 *   4. waits for the read models, then prints the URLs to open and what to try next.
 *
 * The pages need an API key, which a browser cannot send as a header; the demo therefore also runs a
 * small viewer on loopback that adds the demo's admin key to every request it forwards. It is for
 * this demo only and listens on 127.0.0.1.
 *
 * Options: --port <n> (API, default 3000), --viewer-port <n> (default 3001), --data-dir <dir>,
 * --once (exit after printing: for CI and the test of this script).
 * Needs Redis (BullMQ) on REDIS_URL, default redis://127.0.0.1:6379.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ConfigError, loadConfig, probeRedis, RedisUnavailableError } from '@trellis/platform';
import { createApp } from '../apps/api/src/app.factory';
import { playScenario, STATE_AGENCY_PATH, TOOL_PATH } from '../test/support/seed-scenarios';

interface Options {
  port: number;
  viewerPort: number;
  dataDir: string;
  once: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { port: 3000, viewerPort: 3001, dataDir: path.join('data', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`), once: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--port') options.port = Number(value());
    else if (arg === '--viewer-port') options.viewerPort = Number(value());
    else if (arg === '--data-dir') options.dataDir = value();
    else if (arg === '--once') options.once = true;
    else throw new Error(`unknown option ${arg} (known: --port, --viewer-port, --data-dir, --once)`);
  }
  for (const [name, port] of [['--port', options.port], ['--viewer-port', options.viewerPort]] as const) {
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${name} must be a port number`);
  }
  return options;
}

const say = (line = '') => process.stdout.write(`${line}\n`);

/** A fetch-based client for the demo's own API. */
function apiClient(baseUrl: string, key: string) {
  const request = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${route}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
  };
  return {
    get: (route: string) => request('GET', route),
    post: (route: string, body: unknown) => request('POST', route, body),
    command: (id: string, type: string, data: unknown, extra: Record<string, unknown> = {}) => request('POST', `/partnerships/${id}/commands`, { type, data, ...extra }),
  };
}

interface Receiver {
  readonly url: string;
  /** Deliveries so far, by CloudEvents type. */
  readonly byType: Map<string, number>;
  count(): number;
  /** From now on, print one line per delivery. */
  printLive(): void;
  close(): Promise<void>;
}

/** A local webhook receiver: counts deliveries by type, and once asked prints each as it arrives. */
async function startReceiver(): Promise<Receiver> {
  const byType = new Map<string, number>();
  let live = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let event: { type?: string; subject?: string; sequence?: string } = {};
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof event;
      } catch {
        // counted as unreadable below
      }
      const type = event.type ?? '(unreadable body)';
      byType.set(type, (byType.get(type) ?? 0) + 1);
      if (live) say(`  webhook ← ${type} (partnership ${event.subject ?? '-'}, position ${event.sequence ? BigInt(event.sequence) : '-'})`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/trellis`,
    byType,
    count: () => [...byType.values()].reduce((a, b) => a + b, 0),
    printLive: () => {
      live = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Forwards every request to the API with the demo's admin key added (loopback only). */
async function startViewer(apiUrl: string, key: string, port: number): Promise<{ url: string; close: () => Promise<void> }> {
  const target = new URL(apiUrl);
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host, authorization: `Bearer ${key}` } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => res.writeHead(502, { 'content-type': 'text/plain' }).end(`viewer: ${error.message}`));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const adminKey = `trk_demo_${randomBytes(24).toString('base64url')}`;
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    EVENT_STORE: 'embedded',
    DATA_DIR: options.dataDir,
    ADMIN_API_KEY: adminKey,
    HOST: '127.0.0.1',
    PORT: String(options.port),
    RUN_WORKERS: 'true',
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
    // The receiver is on loopback; a demo-only allowance.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    // A day lasts a second: the reminders the scenarios leave pending are issued while you watch.
    REMINDER_TIME_SCALE: process.env['REMINDER_TIME_SCALE'] ?? '1/86400',
  });
  await probeRedis(config.redisUrl);

  say(`Trellis demo — embedded store in ${options.dataDir}, Redis ${config.redisUrl}`);
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const apiUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  const api = apiClient(apiUrl, adminKey);
  const receiver = await startReceiver();
  const viewer = await startViewer(apiUrl, adminKey, options.viewerPort);
  const closeAll = async () => {
    await viewer.close();
    await receiver.close();
    await app.close();
  };

  try {
    say(`API on ${apiUrl} (admin key for this run: ${adminKey})`);
    const sub = await api.post('/subscriptions', { url: receiver.url, description: 'demo receiver' });
    if (sub.status !== 201) throw new Error(`POST /subscriptions → ${sub.status}: ${sub.text}`);
    say(`Subscribed a local webhook receiver (${receiver.url}); deliveries are printed as they arrive.`);
    say();

    say('Playing the district attendance-tool partnership (problem of practice → evidence → co-designed tool → pilot → revision → study → joint interpretation → use)…');
    const tool = await playScenario(api, TOOL_PATH);
    say('Playing the state agency teacher-retention partnership (local data → straight to a formal study, the agency as broker)…');
    const agency = await playScenario(api, STATE_AGENCY_PATH);

    await waitFor('the read models', async () => {
      const res = await api.get('/admin/projections');
      return res.status === 200 && (res.body as { projections: Array<{ lag: string }> }).projections.every((p) => p.lag === '0');
    });
    const recorded = ((await api.get(`/events?limit=1000`)).body as { events: unknown[] }).events.length;
    await waitFor('the webhook deliveries', async () => receiver.count() >= recorded, 60_000);
    say(`Recorded ${recorded} events; the receiver has ${receiver.count()} deliveries, signed and in order per partnership:`);
    for (const [type, n] of [...receiver.byType].sort()) say(`  ${String(n).padStart(3)} × ${type}`);

    const v = viewer.url;
    say();
    say('Ready. Open (the viewer adds the demo key for you):');
    say(`  Timeline page, tool pilot:      ${v}/partnerships/${tool}/timeline.html`);
    say(`  Timeline page, state agency:    ${v}/partnerships/${agency}/timeline.html`);
    say(`  Effectiveness (five dimensions): ${v}/partnerships/${tool}/effectiveness`);
    say(`  Participation ledger:           ${v}/partnerships/${tool}/participation`);
    say(`  Reminders:                      ${v}/partnerships/${tool}/reminders`);
    say(`  Hash-chain verification:        ${v}/partnerships/${tool}/verify`);
    say(`  Queue dashboard:                ${v}/admin/queues`);
    say(`  API reference (OpenAPI):        ${v}/docs`);
    say();
    say('Try next:');
    say(`  curl -H "Authorization: Bearer ${adminKey}" "${apiUrl}/partnerships/${tool}?asOf=2025-01-01T00:00:00Z&time=occurred"   # the partnership as things stood on 1 January 2025`);
    say(`  curl -N -H "Authorization: Bearer ${adminKey}" ${apiUrl}/events/stream                      # follow events live (SSE)`);
    say(`  TRELLIS_URL=${apiUrl} TRELLIS_API_KEY=${adminKey} npx trellis projections rebuild timeline --follow`);
    say(`  TRELLIS_URL=${apiUrl} TRELLIS_API_KEY=${adminKey} npx trellis audit export ${tool} --out tool.ndjson && npx trellis audit verify-file tool.ndjson`);
    say(`  Send a command:  curl -X POST -H "Authorization: Bearer ${adminKey}" -H 'Content-Type: application/json' \\`);
    say(`    -d '{"type":"RecordResearchUse","data":{"workstreamId":"${TOOL_PATH.workstreamId}","useId":"use-demo","decisionSummary":"Extend the planner to the high schools","decisionLevel":"district","decidingOrganizationId":"riverside-usd","evidenceIds":["findings-midyear"]}}' \\`);
    say(`    ${apiUrl}/partnerships/${tool}/commands`);
    say();
  } catch (error) {
    await closeAll();
    throw error;
  }

  if (options.once) {
    await closeAll();
    say('Demo finished (--once).');
    return;
  }
  say('Reminders keep falling due on the fast clock (a day per second); new deliveries are printed below. Press Ctrl+C to stop.');
  receiver.printLive();
  // The engine's own shutdown hooks (enableShutdownHooks) close the app on SIGINT/SIGTERM — finishing
  // in-flight jobs — and then let the signal end the process; the demo closes its own servers first.
  const stop = () => {
    say('Stopping…');
    void viewer.close();
    void receiver.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof RedisUnavailableError) process.stderr.write(`demo: ${error.message}\n`);
  else process.stderr.write(`demo: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
