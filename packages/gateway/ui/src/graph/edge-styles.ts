/** How each kind of edge is drawn (graph and legend). */
import type { EdgeKind } from '../api/types.ts';

export const EDGE_STYLES: Record<EdgeKind, { stroke: string; dash?: string; label: string }> = {
  dependency: { stroke: '#64748b', label: 'dependency' },
  compensation: { stroke: '#a855f7', dash: '6 4', label: 'compensation' },
  escalation: { stroke: '#dc2626', dash: '2 4', label: 'escalation' },
  timeout: { stroke: '#d97706', dash: '8 3 2 3', label: 'on timeout' },
};
