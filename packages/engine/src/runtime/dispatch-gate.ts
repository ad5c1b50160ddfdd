/**
 * Per-squad dispatch limits of one orchestrator: when a squad has `limit`
 * commands in flight from this process, further step commands wait here and
 * go out highest priority first (then oldest) as replies or timeouts free
 * places. Holding a dispatch in memory loses nothing: it is an effect of a
 * persisted transition, performed again after a crash. Squads without a
 * configured limit are never held.
 */
export class DispatchGate {
  private readonly inFlight = new Map<string, Set<string>>();
  private readonly owner = new Map<string, string>();
  private readonly waiting = new Map<string, Array<{ id: string; priority: number; seq: number; send: () => Promise<void> }>>();
  private seq = 0;

  constructor(private readonly limits: Readonly<Record<string, number>>) {}

  /** Sends now, or queues the send until the squad has room. */
  async submit(squad: string, id: string, priority: number, send: () => Promise<void>): Promise<void> {
    const limit = this.limits[squad];
    if (limit === undefined) return send();
    const flying = this.flying(squad);
    if (flying.has(id)) return send(); // the same attempt performed again: it already holds its place
    if (flying.size < limit) {
      flying.add(id);
      this.owner.set(id, squad);
      return send();
    }
    const queue = this.waiting.get(squad) ?? [];
    if (!queue.some((w) => w.id === id)) queue.push({ id, priority, seq: this.seq++, send });
    queue.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
    this.waiting.set(squad, queue);
  }

  /** An attempt ended (reply or timeout): its place goes to the best waiting command. Unknown ids are ignored. */
  async release(id: string): Promise<void> {
    const squad = this.owner.get(id);
    if (squad === undefined) return;
    this.owner.delete(id);
    const flying = this.flying(squad);
    flying.delete(id);
    const next = this.waiting.get(squad)?.shift();
    if (!next) return;
    flying.add(next.id);
    this.owner.set(next.id, squad);
    await next.send();
  }

  /** Commands held back, per squad (metrics). */
  held(): Record<string, number> {
    return Object.fromEntries([...this.waiting].map(([squad, queue]) => [squad, queue.length]));
  }

  private flying(squad: string): Set<string> {
    let set = this.inFlight.get(squad);
    if (!set) this.inFlight.set(squad, (set = new Set()));
    return set;
  }
}
