/**
 * A real SMTP server on loopback (the `smtp-server` package) that keeps every message it receives:
 * envelope recipients, headers and body as sent over the wire. Can refuse messages for a while, to
 * test retries. Test helper only (smtp-server is a dev dependency).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
  readonly subject: string;
  readonly header: (name: string) => string | undefined;
  readonly at: number;
}

export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  /** While positive, each message is refused (451) and the counter goes down. */
  refuseNext = 0;
  private server: SMTPServer | undefined;
  private port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.refuseNext > 0) {
            this.refuseNext -= 1;
            const error = Object.assign(new Error('try again later'), { responseCode: 451 });
            return callback(error);
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          const [head = ''] = raw.split(/\r?\n\r?\n/);
          const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
          const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(unfolded)?.[1]?.trim();
          this.messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            subject: header('Subject') ?? '',
            header,
            at: Date.now(),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  /** nodemailer connection URL of this server (plain SMTP on loopback). */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}?ignoreTLS=true`;
  }

  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.includes(address));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
