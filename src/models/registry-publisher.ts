import type { ModelRecord } from './impact-model.js'

/** What the publisher needs of the registry (src/models/registry.ts). */
export interface FencedRegistry {
  publish: (symbol: string, record: ModelRecord, opts: { fencingToken: number }) => Promise<{ removedVersions: string[] }>
}

/** What the publisher needs of the job's leader lock (src/jobs/leader-lock.ts). */
export interface FencingLock {
  isLeader: () => boolean
  /** the fencing token while leader */
  token: () => number | undefined
}

export interface RegistryPublisherOptions {
  registry: FencedRegistry
  lock: FencingLock
  logger: { info: (o: object, m: string) => void }
}

/**
 * The recalibration job's publish with a registry: only the leader publishes, each record with the
 * lock's fencing token, so a stale leader (its lease gone, another replica now leader) is refused
 * by the registry rather than overwriting the new leader's models. Records are stored with source
 * "registry"; versions the registry drops past MODEL_KEEP_VERSIONS are logged. Every replica, this
 * one included, swaps the new models in through its registry sync.
 * @throws Error when this replica is not the leader (nothing is written); the registry's RegistryError
 *   (REGISTRY_ERR_STALE_LEADER, ...) when it refuses a record (the records before it stay published)
 */
export function registryPublisher (o: RegistryPublisherOptions): (symbol: string, records: readonly ModelRecord[]) => Promise<void> {
  return async (symbol, records) => {
    const token = o.lock.token()
    if (!o.lock.isLeader() || token === undefined) throw new Error('this replica does not hold the leader lock')
    for (const record of records) {
      const out = await o.registry.publish(symbol, { ...record, source: 'registry' }, { fencingToken: token })
      if (out.removedVersions.length > 0) o.logger.info({ symbol, name: record.name, removed: out.removedVersions }, 'old model versions removed')
    }
  }
}
