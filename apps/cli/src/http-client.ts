/** The CLI talks to a running Trellis: TRELLIS_URL (default http://localhost:3000) and TRELLIS_API_KEY. */
export class TrellisHttpClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): TrellisHttpClient {
    const key = env['TRELLIS_API_KEY'];
    if (!key) throw new Error('set TRELLIS_API_KEY to an API key (the bootstrap admin key printed at first start works)');
    return new TrellisHttpClient((env['TRELLIS_URL'] ?? 'http://localhost:3000').replace(/\/$/, ''), key);
  }

  async raw(path: string, headers: Record<string, string> = {}, init: { method?: string; body?: string } = {}): Promise<Response> {
    const res = await fetch(`${this.baseUrl}${path}`, { ...init, headers: { Authorization: `Bearer ${this.apiKey}`, ...headers } });
    if (!res.ok) {
      const text = await res.text();
      let detail = text;
      try {
        const problem = JSON.parse(text) as { code?: string; detail?: string };
        detail = `${problem.code ?? res.status}: ${problem.detail ?? ''}`;
      } catch {
        /* not a problem document */
      }
      throw new Error(`${res.status} from ${path} — ${detail}`);
    }
    return res;
  }

  async json<T>(path: string): Promise<T> {
    return (await (await this.raw(path)).json()) as T;
  }

  async send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await this.raw(path, body === undefined ? {} : { 'Content-Type': 'application/json' }, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return (await res.json()) as T;
  }
}
