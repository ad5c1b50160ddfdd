/** Asks for a bearer token after a 401; the token stays in this browser (localStorage). */
import { useState } from 'react';
import { auth } from '../api/auth.ts';

export function TokenDialog() {
  const [value, setValue] = useState('');
  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        onSubmit={(event) => {
          event.preventDefault();
          auth.setToken(value.trim() || null);
        }}
      >
        <h2>API token required</h2>
        <p className="muted">
          This gateway requires a bearer token (<span className="mono">SQUADFLOW_API_TOKENS</span>). A token with the <b>read</b> scope
          shows the pages; acting (cancel, signal, approve…) needs <b>admin</b>. It is kept in this browser only.
        </p>
        <input name="token" type="password" autoFocus placeholder="token" value={value} onChange={(e) => setValue(e.target.value)} />
        <div className="row end">
          <button type="submit" className="primary">
            Use token
          </button>
        </div>
      </form>
    </div>
  );
}
