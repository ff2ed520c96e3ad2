import { Registry } from 'prom-client';

/**
 * One /metrics body from several registries. The service kit serves one registry; the service's
 * own registry labels everything `service="metrics"` (its default label), which would be wrong on
 * training series that describe runs, not this process. prom-client's Registry.merge drops default
 * labels, so this registry renders each part with its own labels and joins the texts.
 */
export class CombinedRegistry extends Registry {
  constructor(private readonly parts: readonly Registry[]) {
    super();
  }

  override async metrics(): Promise<string> {
    const texts = await Promise.all(this.parts.map((part) => part.metrics()));
    return (
      texts
        .filter((text) => text.length > 0)
        .join('\n')
        .replace(/\n+$/, '') + '\n'
    );
  }
}
