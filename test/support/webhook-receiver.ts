/**
 * A real HTTP webhook receiver on loopback for the end-to-end tests: every request is recorded (raw
 * body, headers, time) per path, and each path answers what its behaviour says (200 by default).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly receivedAt: number;
  /** What this receiver answered (0: it dropped the connection instead). */
  readonly status: number;
  /** The sender was gone (timed out, killed) before the answer was written: it never saw it. */
  readonly senderGone?: boolean;
}

/**
 * A richer answer (fault tests): answer `status` (default 200) after `delayMs`, or drop the
 * connection (destroy the socket mid-request, after `delayMs`) instead of answering.
 */
export interface Reaction {
  readonly status?: number;
  readonly delayMs?: number;
  readonly drop?: boolean;
}

/** Answers a request: the status code (`n` counts the requests with this webhook-id at this path, from 1). */
export type Behaviour = (request: { path: string; webhookId: string; n: number; body: string }) => number | Reaction;

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly counts = new Map<string, number>();
  private server!: http.Server;
  private pending = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  baseUrl = '';

  /** Requests received whose answer (or drop) is still to come (delayed reactions). */
  get inFlight(): number {
    return this.pending;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        const webhookId = String(req.headers['webhook-id'] ?? '');
        const key = `${path} ${webhookId}`;
        const n = (this.counts.get(key) ?? 0) + 1;
        this.counts.set(key, n);
        const answer = (this.behaviours.get(path) ?? (() => 200))({ path, webhookId, n, body });
        const reaction: Reaction = typeof answer === 'number' ? { status: answer } : answer;
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        const respond = () => {
          const senderGone = req.socket.destroyed || res.writableEnded;
          if (reaction.drop) {
            this.received.push({ path, headers, body, receivedAt: Date.now(), status: 0, senderGone });
            req.socket.destroy();
            return;
          }
          const status = reaction.status ?? 200;
          this.received.push({ path, headers, body, receivedAt: Date.now(), status, ...(senderGone ? { senderGone } : {}) });
          if (senderGone) return;
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end(status < 300 ? 'ok' : 'not now');
        };
        if (!reaction.delayMs) {
          respond();
          return;
        }
        this.pending += 1;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.pending -= 1;
          respond();
        }, reaction.delayMs);
        this.timers.add(timer);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  behave(path: string, behaviour: Behaviour): void {
    this.behaviours.set(path, behaviour);
  }

  at(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  /** The requests at `path` that were answered 2xx. */
  accepted(path: string): ReceivedWebhook[] {
    return this.at(path).filter((r) => r.status >= 200 && r.status < 300);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
