/** One answer of an API replica. `status` 0: no HTTP answer at all (refused, reset, timed out). */
export interface HttpResult {
  status: number;
  // JSON of any shape: drills read the fields they expect and assert on them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** The replica that answered (or failed to). */
  replica: string;
  ms: number;
}

export interface RequestOptions {
  body?: unknown;
  /** A bearer token. */
  token?: string;
  headers?: Record<string, string>;
  /** Past this the request counts as unanswered (status 0): drills must see hangs, not wait forever. */
  timeoutMs?: number;
}

/** Strips ids and tokens from a path so the statistics group requests by route. */
export function routeOf(method: string, path: string): string {
  return `${method} ${path.split('?')[0].replace(/\/\d+(?=\/|$)/g, '/:id')}`;
}

/**
 * Counts every answer by status and by route, across all replicas, and keeps the first unexpected
 * ones (5xx, no answer) verbatim, so a failing drill says what went wrong and where.
 */
export class HttpStats {
  readonly byStatus = new Map<number, number>();
  readonly byRoute = new Map<string, Map<number, number>>();
  readonly byReplica = new Map<string, number>();
  readonly failures: string[] = [];

  record(method: string, path: string, result: HttpResult, error?: unknown): void {
    this.byStatus.set(result.status, (this.byStatus.get(result.status) ?? 0) + 1);
    const route = routeOf(method, path);
    const statuses = this.byRoute.get(route) ?? new Map<number, number>();
    statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
    this.byRoute.set(route, statuses);
    this.byReplica.set(result.replica, (this.byReplica.get(result.replica) ?? 0) + 1);
    if ((result.status === 0 || result.status >= 500) && this.failures.length < 20) {
      const detail = error === undefined ? JSON.stringify(result.body)?.slice(0, 300) : describeError(error);
      this.failures.push(`${method} ${path} on ${result.replica} → ${result.status}: ${detail}`);
    }
  }

  get total(): number {
    return [...this.byStatus.values()].reduce((sum, count) => sum + count, 0);
  }

  /** Requests answered 5xx or not at all. */
  get serverErrors(): number {
    return [...this.byStatus]
      .filter(([status]) => status === 0 || status >= 500)
      .reduce((sum, [, count]) => sum + count, 0);
  }

  /** `201: 812, 200: 1503, …`, most frequent first. */
  statusLine(): string {
    return [...this.byStatus]
      .sort((a, b) => b[1] - a[1])
      .map(([status, count]) => `${status === 0 ? 'no answer' : status}: ${count}`)
      .join(', ');
  }

  routeLines(): string[] {
    return [...this.byRoute]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([route, statuses]) => `  ${route}  ${[...statuses].map(([status, count]) => `${status}×${count}`).join(' ')}`,
      );
  }
}

/** HTTP to one API replica (global fetch, JSON in and out), recording into shared statistics. */
export class ReplicaHttp {
  constructor(
    readonly name: string,
    readonly baseUrl: string,
    private readonly stats: HttpStats,
  ) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
    const started = performance.now();
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    if (options.token !== undefined) {
      headers.authorization = `Bearer ${options.token}`;
    }
    let result: HttpResult;
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
      const text = await response.text();
      result = { status: response.status, body: parseJson(text), replica: this.name, ms: performance.now() - started };
    } catch (error) {
      result = { status: 0, body: undefined, replica: this.name, ms: performance.now() - started };
      this.stats.record(method, path, result, error);
      return result;
    }
    this.stats.record(method, path, result);
    return result;
  }

  get(path: string, token?: string, options: Omit<RequestOptions, 'token'> = {}): Promise<HttpResult> {
    return this.request('GET', path, { ...options, token });
  }

  post(
    path: string,
    body?: unknown,
    token?: string,
    options: Omit<RequestOptions, 'token' | 'body'> = {},
  ): Promise<HttpResult> {
    return this.request('POST', path, { ...options, body, token });
  }
}

/** fetch's TypeError says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is in its cause. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) {
    return JSON.stringify(error);
  }
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}

function parseJson(text: string): unknown {
  if (text === '') {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
