/**
 * One webhook delivery attempt over HTTP (DESIGN.md §6, §9). What it guarantees:
 * - the target is resolved through the `WebhookTargetPolicy` and the connection is pinned to the
 *   address it approved (a custom `lookup`), so DNS rebinding between check and connect is moot;
 *   the Host header and TLS SNI/certificate check still use the host name;
 * - redirects are never followed (a 3xx is a failure: "redirect not followed");
 * - one deadline covers DNS, connect, request and response headers; if the status line arrives in
 *   time the status decides, and a body still streaming at the deadline is cut off;
 * - at most `maxResponseBytes` of the response body are read, then the socket is destroyed;
 * - keep-alive agents, so a busy subscription reuses its connections.
 *
 * Retry policy (`retryable`): network errors, timeouts and every non-2xx are worth retrying, as the
 * Standard Webhooks spec says, except `410 Gone`, which the spec reserves for "stop sending": it is
 * not retryable and sets `endpointGone` so the caller can pause the subscription. A target the
 * policy refuses is not retryable either (it will not become public by waiting); a host name that
 * does not resolve is.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { unbracketHost, type TargetResolution } from './target-policy';

export interface DeliveryOutcome {
  /** A 2xx status arrived. */
  readonly ok: boolean;
  readonly status?: number;
  /** From the start of the attempt (DNS included) to the end of reading the response. */
  readonly latencyMs: number;
  /** Why it failed: "timeout", "redirect not followed (…)", "HTTP 500", a network error, … */
  readonly error?: string;
  /** The first `maxResponseBytes` bytes of the response body, as UTF-8. */
  readonly responseBody?: string;
  /** The body was longer than `maxResponseBytes` (or still streaming at the deadline) and was cut. */
  readonly responseTruncated?: boolean;
  readonly retryable: boolean;
  /** 410 Gone: the receiver asks not to be sent anything more. */
  readonly endpointGone?: boolean;
  /** From a `Retry-After` header (seconds or HTTP date) on a failed response. */
  readonly retryAfterMs?: number;
  /** The IP address the request went to. */
  readonly address?: string;
}

export interface WebhookAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

export interface SendWebhookRequest {
  readonly url: string;
  /** Signature headers, content type, … (`host`, `content-length` and hop-by-hop headers are set here). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly policy: { resolve(url: string): Promise<TargetResolution> };
  /** Default: agents shared by the process (`defaultWebhookAgents`). */
  readonly agents?: WebhookAgents;
  /** Aborts the attempt (graceful shutdown); the outcome is a retryable "aborted". */
  readonly signal?: AbortSignal;
}

export const WEBHOOK_USER_AGENT = 'Trellis-Webhooks/1.0';
/** A reused keep-alive socket the receiver had just closed: tried again on a fresh one, this often. */
const MAX_STALE_SOCKET_RETRIES = 2;
const REDIRECT_LOCATION_MAX = 200;
const DROPPED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect']);

export function createWebhookAgents(options: { maxSockets?: number; idleTimeoutMs?: number } = {}): WebhookAgents {
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    // Per receiver host: deliveries to one receiver run side by side (batch jobs, fan-out), and the
    // sockets stay open between them rather than being reopened for every request.
    maxSockets: options.maxSockets ?? 256,
    maxFreeSockets: options.maxSockets ?? 256,
    // Idle sockets are closed before a typical server's 5 s keep-alive timeout closes them first.
    timeout: options.idleTimeoutMs ?? 4_000,
    scheduling: 'lifo',
  };
  return { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
}

let sharedAgents: WebhookAgents | undefined;
export function defaultWebhookAgents(): WebhookAgents {
  sharedAgents ??= createWebhookAgents();
  return sharedAgents;
}

export function destroyWebhookAgents(agents: WebhookAgents): void {
  agents.http.destroy();
  agents.https.destroy();
  if (agents === sharedAgents) sharedAgents = undefined;
}

type Approved = Extract<TargetResolution, { ok: true }>;

/**
 * Every connection goes to an approved address, whatever the host name would resolve to now. With
 * `all` (Node's Happy Eyeballs, `autoSelectFamily`) it gets every approved address, else the first
 * one of the family asked for.
 */
function pinnedLookup(target: Approved): LookupFunction {
  return ((_hostname: string, options: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
    if (options?.all) return callback(null, target.addresses.map((a) => ({ ...a })));
    const wanted = options?.family === 6 || options?.family === 'IPv6' ? 6 : options?.family === 4 || options?.family === 'IPv4' ? 4 : 0;
    const pick = target.addresses.find((a) => wanted === 0 || a.family === wanted);
    if (!pick) {
      return callback(Object.assign(new Error(`no approved IPv${wanted} address for ${target.hostname}`), { code: 'ENOTFOUND' }));
    }
    callback(null, pick.address, pick.family);
  }) as LookupFunction;
}

/** `Retry-After: 120` or `Retry-After: <HTTP date>` → milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface Attempt {
  readonly outcome: Omit<DeliveryOutcome, 'latencyMs'>;
  /** The request failed on a reused keep-alive socket before any response: safe to try again. */
  readonly staleSocket?: boolean;
}

export async function sendWebhook(request: SendWebhookRequest): Promise<DeliveryOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const remaining = () => request.timeoutMs - (performance.now() - started);
  const done = (outcome: Omit<DeliveryOutcome, 'latencyMs'>): DeliveryOutcome => ({ ...outcome, latencyMs: elapsed() });

  if (request.signal?.aborted) return done({ ok: false, error: 'aborted', retryable: true });
  const resolving = request.policy
    .resolve(request.url)
    .catch((error: Error): TargetResolution => ({ ok: false, kind: 'unresolvable', reason: error.message }));
  const resolution = await withDeadline(resolving, remaining());
  if (resolution === 'timeout') return done({ ok: false, error: 'timeout', retryable: true });
  if (!resolution.ok) {
    const unresolvable = resolution.kind === 'unresolvable';
    return done({ ok: false, error: unresolvable ? resolution.reason : `target refused: ${resolution.reason}`, retryable: unresolvable });
  }

  const agents = request.agents ?? defaultWebhookAgents();
  let attempt = await post(request, resolution, agents, remaining());
  for (let i = 0; attempt.staleSocket && i < MAX_STALE_SOCKET_RETRIES && remaining() > 0; i++) {
    attempt = await post(request, resolution, agents, remaining());
  }
  return done(attempt.outcome);
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  if (ms <= 0) return 'timeout';
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function post(
  request: SendWebhookRequest,
  target: Approved,
  agents: WebhookAgents,
  budgetMs: number,
): Promise<Attempt> {
  return new Promise<Attempt>((resolve) => {
    if (budgetMs <= 0) return resolve({ outcome: { ok: false, error: 'timeout', retryable: true, address: target.address } });
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
    const headers: Record<string, string> = { 'user-agent': WEBHOOK_USER_AGENT };
    for (const [name, value] of Object.entries(request.headers)) {
      if (!DROPPED_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    headers['content-length'] = String(body.length);

    let settled = false;
    let req: http.ClientRequest | undefined;
    let res: http.IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let truncated = false;
    let address = target.address;

    const bodyText = () => (chunks.length > 0 || res ? Buffer.concat(chunks).toString('utf8') : undefined);
    const settle = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      resolve(attempt);
    };
    const fromResponse = (): Attempt => {
      const status = res!.statusCode ?? 0;
      const responseBody = bodyText();
      const common = {
        status,
        address,
        ...(responseBody !== undefined ? { responseBody } : {}),
        ...(truncated ? { responseTruncated: true } : {}),
      };
      if (status >= 200 && status < 300) return { outcome: { ok: true, retryable: false, ...common } };
      const retryAfterMs = parseRetryAfter(res!.headers['retry-after']);
      return {
        outcome: {
          ok: false,
          error: `HTTP ${status}`,
          retryable: status !== 410,
          ...(status === 410 ? { endpointGone: true } : {}),
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          ...common,
        },
      };
    };
    const fail = (error: string, extra: Partial<Attempt> = {}) =>
      settle({ outcome: { ok: false, error, retryable: true, address }, ...extra });

    const onDeadline = () => {
      // Headers in time: the status decides and the unread rest of the body is dropped.
      if (res) {
        truncated = true;
        settle(fromResponse());
      } else fail('timeout');
      req?.destroy();
    };
    const onAbort = () => {
      fail('aborted');
      req?.destroy();
    };
    const timer = setTimeout(onDeadline, budgetMs);
    request.signal?.addEventListener('abort', onAbort, { once: true });

    const options: https.RequestOptions = {
      method: 'POST',
      protocol: url.protocol,
      hostname: unbracketHost(url.hostname),
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers,
      agent: secure ? agents.https : agents.http,
      lookup: pinnedLookup(target),
    };
    try {
      req = (secure ? https : http).request(options);
    } catch (error) {
      // Invalid header values and the like: a bug on our side, not worth retrying as is.
      return settle({ outcome: { ok: false, error: (error as Error).message, retryable: false, address: target.address } });
    }

    req.on('response', (response) => {
      res = response;
      address = response.socket?.remoteAddress ?? address;
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        const location = String(response.headers.location ?? '').slice(0, REDIRECT_LOCATION_MAX);
        settle({
          outcome: {
            ok: false,
            status,
            error: `redirect not followed (${status}${location ? ` to ${location}` : ''})`,
            retryable: true,
            address,
          },
        });
        response.destroy();
        return;
      }
      response.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = request.maxResponseBytes - received;
        if (chunk.length > room) {
          if (room > 0) chunks.push(chunk.subarray(0, room));
          received += Math.max(room, 0);
          truncated = true;
          settle(fromResponse());
          // Not reading further: the socket goes, rather than back to the keep-alive pool.
          response.destroy();
          return;
        }
        chunks.push(chunk);
        received += chunk.length;
      });
      response.on('end', () => settle(fromResponse()));
      response.on('error', (error) => fail(describe(error)));
      response.on('close', () => {
        if (!response.complete) fail('connection closed before the response was complete');
      });
    });
    req.on('error', (error) => fail(describe(error), { staleSocket: !res && req!.reusedSocket && isStaleSocketError(error) }));
    req.end(body);
  });
}

function isStaleSocketError(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error.message || code || 'network error';
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
