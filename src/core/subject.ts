// The federated subject (docs/design.md §2): who a user is across the federation. One type for every
// use case; each one states which of the optional parts it needs.

/**
 * A user of the federation. The pair (homeCloud, homeSub) names them; the rest is what their home
 * realm says about them, present when the use case has read it.
 */
export interface FederatedSubject {
  /** Alias of the home cloud. */
  readonly homeCloud: string;
  /** The user's id (OIDC `sub`) in the home realm. */
  readonly homeSub: string;
  /** The user's name at home (`preferred_username`), when known. */
  readonly homeUsername?: string;
  /** Full home group paths, e.g. "/projects/p1/members", when read. */
  readonly groups?: readonly string[];
  /** Home user attributes, when read. */
  readonly attributes?: Readonly<Record<string, readonly string[]>>;
}

/** A subject with some of its optional parts known. */
export type SubjectWith<K extends keyof FederatedSubject> = FederatedSubject & Required<Pick<FederatedSubject, K>>;

/** A subject as its home directory reads it: name, groups and attributes known. */
export type SubjectProfile = SubjectWith<'homeUsername' | 'groups' | 'attributes'>;

/**
 * What policy evaluation and explain read of a subject: home, name, groups and attributes. The id is
 * not needed (a spec example or a token without `home_sub` has none).
 */
export type PolicySubject = Omit<SubjectProfile, 'homeSub'> & Partial<Pick<FederatedSubject, 'homeSub'>>;
