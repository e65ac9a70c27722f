/** A small fetch-based client for the running test app (real HTTP, real port). */
export interface ApiResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly apiKey?: string,
  ) {}

  withKey(apiKey: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, apiKey);
  }

  async request<T = any>(method: string, path: string, options: { body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {}), ...options.headers };
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('json') && !type.includes('ndjson') && text.length > 0) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, { headers });
  }

  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, { body, headers });
  }

  /** POST /partnerships/:id/commands */
  command<T = any>(partnershipId: string, type: string, data: unknown, extra: Record<string, unknown> = {}, headers?: Record<string, string>) {
    return this.post<T>(`/partnerships/${partnershipId}/commands`, { type, data, ...extra }, headers);
  }

  /** Runs commands in order and fails loudly on the first that is not 201. */
  async commands(partnershipId: string, list: ReadonlyArray<readonly [string, unknown] | readonly [string, unknown, Record<string, unknown>]>): Promise<void> {
    for (const [type, data, extra] of list) {
      const res = await this.command(partnershipId, type, data, extra ?? {});
      if (res.status !== 201) throw new Error(`${type} → ${res.status}: ${res.text}`);
    }
  }
}
