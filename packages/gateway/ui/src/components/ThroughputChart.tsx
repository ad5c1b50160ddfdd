/** Executions started and ended per time bucket, as a small SVG bar chart (no charting library). */
import type { Insights } from '../api/types.ts';
import { time } from '../format.ts';

const WIDTH = 560;
const HEIGHT = 140;
const PAD = { left: 28, right: 8, top: 8, bottom: 20 };

export function ThroughputChart({ buckets }: { buckets: Insights['throughput'] }) {
  if (buckets.length === 0) return <div className="muted">no executions in the sample</div>;
  const max = Math.max(1, ...buckets.map((b) => Math.max(b.started, b.ended)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  // A few buckets would make slabs: bars stay thin and the axis keeps its length.
  const slot = plotW / buckets.length;
  const bar = Math.min(18, Math.max(1, slot / 2 - 1));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const first = buckets[0]!;
  const last = buckets[buckets.length - 1]!;
  return (
    <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="throughput over time" data-testid="throughput">
      <line x1={PAD.left} y1={y(0)} x2={WIDTH - PAD.right} y2={y(0)} stroke="#cbd5e1" />
      <text x={PAD.left - 4} y={y(max) + 4} textAnchor="end" className="axis">
        {max}
      </text>
      <text x={PAD.left - 4} y={y(0)} textAnchor="end" className="axis">
        0
      </text>
      {buckets.map((b, i) => {
        const x = PAD.left + i * slot;
        return (
          <g key={b.from}>
            <title>{`${time(b.from)} – ${time(b.to)}: ${b.started} started, ${b.ended} ended`}</title>
            <rect x={x} y={y(b.started)} width={bar} height={y(0) - y(b.started)} fill="#3b82f6" />
            <rect x={x + bar + 1} y={y(b.ended)} width={bar} height={y(0) - y(b.ended)} fill="#10b981" />
          </g>
        );
      })}
      <text x={PAD.left} y={HEIGHT - 4} className="axis">
        {time(first.from)}
      </text>
      <text x={WIDTH - PAD.right} y={HEIGHT - 4} textAnchor="end" className="axis">
        {time(last.to)}
      </text>
    </svg>
  );
}
