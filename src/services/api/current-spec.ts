// The broker's current spec in its two modes (docs/api.md, "GitOps mode and API mode"):
//   gitops  the spec file serve started with is the only source; the API plans and applies that spec
//           and refuses every change to it (ERR_SPEC_MODE_GITOPS)
//   api     the latest spec revision in the store is the source, shared by every broker process; on
//           the first start the spec file is imported as revision 1, afterwards the file is not read
//           for the spec again (serve warns when it differs)
import { BrokerError } from '../../core/errors.ts';
import type { FederationSpec } from '../../core/federation/schema.ts';
import { nextRevision, type Revision } from '../../core/revisions/revision.ts';
import type { RevisionStore } from '../../ports/api.ts';

export class GitOpsSpec {
  readonly mode = 'gitops' as const;
  constructor(private readonly spec: FederationSpec, readonly file: string) {}
  get(): FederationSpec { return this.spec; }
  async refresh(): Promise<void> { /* the file is the source: nothing else can change it */ }
}

export interface ApiModeSeed {
  readonly spec: FederationSpec;
  readonly fingerprint: string;
  /** Where the spec of revision 1 came from (the spec file's path). */
  readonly source: string;
  readonly author: string;
  readonly timeMs: number;
}

export class ApiModeSpec {
  readonly mode = 'api' as const;
  #latest: Revision;

  private constructor(readonly store: RevisionStore, latest: Revision, readonly imported: boolean) {
    this.#latest = latest;
  }

  /** The latest revision of the store, or the seed imported as revision 1 into an empty store. */
  static async start(store: RevisionStore, seed: ApiModeSeed): Promise<ApiModeSpec> {
    const latest = await store.latest();
    if (latest) return new ApiModeSpec(store, latest, false);
    const first = nextRevision({ previous: undefined, spec: seed.spec, fingerprint: seed.fingerprint, author: seed.author, timeMs: seed.timeMs, origin: { kind: 'import', source: seed.source }, result: { status: 'imported' } });
    if (await store.append(first)) return new ApiModeSpec(store, first, true);
    // Another broker process imported at the same moment: take its revision.
    const theirs = await store.latest();
    if (!theirs) throw new BrokerError('ERR_STORE_CORRUPT', 'the revision store refused revision 1 but holds no revision');
    return new ApiModeSpec(store, theirs, false);
  }

  get(): FederationSpec { return this.#latest.spec; }
  latest(): Revision { return this.#latest; }

  /** Takes a newer revision another broker process recorded. */
  async refresh(): Promise<void> {
    const latest = await this.store.latest();
    if (latest && latest.number > this.#latest.number) this.#latest = latest;
  }

  /** The revision this process just recorded. */
  adopt(revision: Revision): void {
    if (revision.number >= this.#latest.number) this.#latest = revision;
  }
}

export type CurrentSpec = GitOpsSpec | ApiModeSpec;
