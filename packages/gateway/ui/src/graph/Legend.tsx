/** What the colours and the edge styles mean. */
import type { EdgeKind } from '../api/types.ts';
import { NODE_STATES } from './node-state.ts';
import { EDGE_STYLES } from './edge-styles.ts';

export function Legend({ kinds, live }: { kinds: EdgeKind[]; live: boolean }) {
  return (
    <div className="legend" data-testid="legend">
      {live &&
        NODE_STATES.map(({ state, label, hint }) => (
          <span key={state} className="legend-item" title={hint}>
            <span className={`swatch state-${state}`} /> {label}
          </span>
        ))}
      {kinds.map((kind) => {
        const style = EDGE_STYLES[kind] ?? EDGE_STYLES.dependency;
        return (
          <span key={kind} className="legend-item">
            <svg width="26" height="8" aria-hidden>
              <line x1="0" y1="4" x2="26" y2="4" stroke={style.stroke} strokeWidth="2" strokeDasharray={style.dash} />
            </svg>
            {style.label}
          </span>
        );
      })}
    </div>
  );
}
