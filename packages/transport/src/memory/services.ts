import { joinServiceAnswers, type DiscoverOptions, type DiscoveredService, type LocalService, type ServiceDirectory } from '../services.ts';

/** The memory transport's service directory: the services registered in this process. */
export class MemoryServices implements ServiceDirectory {
  private readonly services = new Set<LocalService>();

  async discover(options: DiscoverOptions = {}): Promise<DiscoveredService[]> {
    const live = [...this.services].filter((s) => options.name === undefined || s.info().name === options.name);
    return joinServiceAnswers(
      live.map((s) => s.info()),
      live.map((s) => s.stats()),
    );
  }

  register(service: LocalService): () => void {
    this.services.add(service);
    return () => this.services.delete(service);
  }
}
