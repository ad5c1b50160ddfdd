/**
 * The operator's bearer token (kept in localStorage) and what the gateway
 * said about it: a 401 asks for a token, a 403 on an act marks the token as
 * read-only so the pages disable their actions with a hint.
 */
const KEY = 'squadflow.token';

/**
 * The browser's localStorage, typed by what this module uses: the stream reader's unit test
 * (packages/gateway/test/ui-events.test.ts) imports it under Node, type-checked without the DOM library.
 */
interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}
const storage = (): TokenStore => (globalThis as unknown as { localStorage: TokenStore }).localStorage;

type Listener = () => void;
const listeners = new Set<Listener>();

interface AuthState {
  token: string | null;
  /** Set by a 401: the app shows the token dialog. */
  needed: boolean;
  /** Set by a 403 on an act: actions are disabled until another token is given. */
  readOnly: boolean;
}

let state: AuthState = { token: storage().getItem(KEY), needed: false, readOnly: false };

function set(next: Partial<AuthState>): void {
  state = { ...state, ...next };
  for (const listener of listeners) listener();
}

export const auth = {
  get: (): AuthState => state,
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  setToken(token: string | null): void {
    if (token) storage().setItem(KEY, token);
    else storage().removeItem(KEY);
    set({ token, needed: false, readOnly: false });
  },
  unauthenticated: (): void => set({ needed: true }),
  forbidden: (): void => set({ readOnly: true }),
};
