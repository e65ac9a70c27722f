/**
 * Writes a Server-Sent Events response (WHATWG HTML §9.2): one message per `write`, heartbeat
 * comments on a timer, and back-pressure: when the socket's buffer is full the caller waits for
 * `drain` before producing more, and heartbeats are skipped meanwhile, so a slow client never makes
 * the server buffer more than one message beyond the socket's high-water mark.
 */
import type { ServerResponse } from 'node:http';

/** How long a client should wait before reconnecting (the `retry:` field), in ms. */
export const SSE_RETRY_MS = 2_000;

/** One SSE message; every line of `data` becomes its own `data:` field. */
export function formatSseMessage(message: { id?: string; event?: string; data: string }): string {
  let out = '';
  if (message.id !== undefined) out += `id: ${singleLine(message.id)}\n`;
  if (message.event !== undefined) out += `event: ${singleLine(message.event)}\n`;
  for (const line of message.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line: ignored by clients, keeps proxies and load balancers from timing the stream out. */
export const formatSseComment = (text: string): string => `: ${singleLine(text)}\n\n`;

function singleLine(value: string): string {
  if (/[\r\n\0]/.test(value)) throw new Error('SSE field values must be a single line');
  return value;
}

export class SseWriter {
  private heartbeat: NodeJS.Timeout | undefined;
  private ended = false;
  private readonly stopped = new AbortController();

  constructor(
    private readonly res: ServerResponse,
    private readonly heartbeatMs: number,
  ) {
    res.once('close', () => this.end());
  }

  /** True once the client left or `end()` was called; nothing is written after that. */
  get closed(): boolean {
    return this.ended || this.res.destroyed || this.res.writableEnded || this.res.socket?.destroyed === true;
  }

  /** Whether the heartbeat timer is running (false once closed: nothing left behind). */
  get heartbeating(): boolean {
    return this.heartbeat !== undefined;
  }

  /** Sends the headers and the reconnection hint, and starts the heartbeat. */
  open(): void {
    if (this.closed) return;
    this.res.statusCode = 200;
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-cache, no-transform');
    // The connection is never reused after a stream: closing it with the stream lets a shutting-down
    // server finish at once instead of waiting for keep-alive timeouts.
    this.res.setHeader('Connection', 'close');
    // nginx and similar proxies buffer responses unless told not to.
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.res.flushHeaders();
    this.res.write(`retry: ${SSE_RETRY_MS}\n: connected\n\n`);
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  /**
   * Writes one message; resolves when the caller may write the next one (at once, or after `drain`,
   * or when the client has gone).
   */
  async send(message: { id: string; event: string; data: string }): Promise<void> {
    if (this.closed) return;
    if (this.res.write(formatSseMessage(message))) return;
    await this.drained();
  }

  /**
   * Ends the response (idempotent), stops the heartbeat, and releases a `send` waiting for a client
   * that stopped reading (the HTTP server's own close then drops that connection).
   */
  end(): void {
    if (this.heartbeat !== undefined) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
    if (this.ended) return;
    this.ended = true;
    this.stopped.abort();
    if (!this.res.writableEnded && !this.res.destroyed) this.res.end();
  }

  private beat(): void {
    // A full buffer already proves the connection is busy; don't add to it.
    if (this.closed || this.res.writableNeedDrain) return;
    this.res.write(formatSseComment('heartbeat'));
  }

  /** Resolves on `drain`, or when the client leaves, or when the writer is ended. */
  private async drained(): Promise<void> {
    if (this.closed || !this.res.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        this.stopped.signal.removeEventListener('abort', done);
        resolve();
      };
      this.res.once('drain', done);
      this.res.once('close', done);
      this.stopped.signal.addEventListener('abort', done, { once: true });
    });
  }
}
