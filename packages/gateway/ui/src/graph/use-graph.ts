/** The graph of a workflow version from `GET /v1/workflows/{name}/graph`, or, from a gateway without that route, drawn from the definition. */
import { useEffect, useState } from 'react';
import { api, ApiError, query } from '../api/client.ts';
import type { WorkflowGraph } from '../api/types.ts';
import { graphFromDefinition, type DefinitionLike } from './from-definition.ts';

export function useGraph(workflow: string | undefined, version?: number): { graph?: WorkflowGraph; error?: ApiError } {
  const [state, setState] = useState<{ graph?: WorkflowGraph; error?: ApiError }>({});
  useEffect(() => {
    if (!workflow) return;
    let live = true;
    const name = encodeURIComponent(workflow);
    const q = query({ version });
    api<WorkflowGraph>(`/v1/workflows/${name}/graph${q}`)
      .catch(async (err: unknown) => {
        if (!(err instanceof ApiError) || err.code !== 'ROUTE_NOT_FOUND') throw err;
        return graphFromDefinition(await api<DefinitionLike>(`/v1/workflows/${name}${q}`));
      })
      .then(
        (graph) => live && setState({ graph }),
        (error: unknown) => live && setState({ error: error instanceof ApiError ? error : new ApiError(0, 'CLIENT', String(error)) }),
      );
    return () => {
      live = false;
    };
  }, [workflow, version]);
  return state;
}
