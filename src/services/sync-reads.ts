// One run's reads of the partner systems (docs/sync.md, "Reading"). A partner system is read through
// `readPartner`: a system whose reads already failed in this run is reported once and not asked
// again, and a failure leaves that system's part of the run as it is. A partner Keystone's federated
// users serve every home's target and the orphans, so they are read once per run.
import type { SyncSystem } from '../core/sync/model.ts';
import type { ObservedKeystoneUser } from '../core/sync/model.ts';
import type { KeystoneSyncPort } from '../ports.ts';
import type { SyncFailure } from './sync.ts';

export class PartnerReads {
  readonly failures: SyncFailure[];
  readonly #keystoneUsers = new Map<string, Promise<ObservedKeystoneUser[]>>();

  constructor(failures: SyncFailure[]) {
    this.failures = failures;
  }

  /** The value `read` gives, or undefined when the system failed before in this run or fails now (then reported). */
  async readPartner<T>(cloud: string, system: SyncSystem, home: string | undefined, read: () => Promise<T>): Promise<T | undefined> {
    if (this.failures.some((f) => f.cloud === cloud && f.system === system && f.part === 'partner')) return undefined;
    try {
      return await read();
    } catch (error) {
      if (!this.failures.some((f) => f.cloud === cloud && f.system === system && f.part === 'partner')) {
        this.failures.push({ cloud, system, part: 'partner', ...(home !== undefined && { home }), error });
      }
      return undefined;
    }
  }

  /** Every federated user of the partner's Keystone, read once per run. */
  keystoneUsers(cloud: string, keystone: KeystoneSyncPort): Promise<ObservedKeystoneUser[]> {
    let users = this.#keystoneUsers.get(cloud);
    if (!users) {
      users = keystone.federatedUsers();
      this.#keystoneUsers.set(cloud, users);
    }
    return users;
  }
}
