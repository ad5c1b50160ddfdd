/** Whether the page follows the lifecycle stream right now. */
export function LiveDot({ connected }: { connected: boolean }) {
  return (
    <span className={`live ${connected ? 'on' : 'off'}`} data-testid="live" data-connected={connected}>
      <span className="dot" /> {connected ? 'live' : 'reconnecting…'}
    </span>
  );
}
