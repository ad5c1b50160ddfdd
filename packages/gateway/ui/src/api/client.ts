/** Calls to the gateway's JSON API with the operator's token; error answers become `ApiError` with the code and field issues. */
import { auth } from './auth.ts';
import type { FieldIssue } from './types.ts';

/** An error answer of the API (`{ error: { code, message, issues }, requestId }`), or a network failure (`NETWORK`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

/** Headers every call carries: the bearer token when one is set. */
export function authHeaders(): Record<string, string> {
  const token = auth.get().token;
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; issues?: FieldIssue[] } } | null;
  const error = body?.error;
  return new ApiError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? res.statusText, error?.issues ?? []);
}

/** GET (or another method with a JSON body) on an API path; resolves with the parsed body, or the text for non-JSON answers. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; accept?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders(), accept: init.accept ?? 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `the gateway did not answer: ${(err as Error).message}`);
  }
  if (res.status === 401) auth.unauthenticated();
  if (res.status === 403 && (init.method ?? 'GET') !== 'GET') auth.forbidden();
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

/** An act (POST/PUT/DELETE) with an optional JSON body. */
export const act = <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => api<T>(path, { method, body });

export { query } from './query.ts';
