// The `<home cloud>:<username>` argument of explain and logout: one parser, one error (ERR_USAGE,
// exit 2) for a malformed argument and for a home cloud the spec does not have, both found before
// anything is composed.
import { BrokerError } from '../core/errors.ts';
import type { FederationSpec } from '../core/federation/schema.ts';

export interface SubjectArgument { readonly homeCloud: string; readonly username: string }

export function parseSubjectArgument(who: string | undefined, alternative = ''): SubjectArgument {
  const match = /^([a-z][a-z0-9-]*):(.+)$/.exec(who ?? '');
  if (!match) {
    throw new BrokerError('ERR_USAGE', `name the user as <home cloud>:<username> (e.g. cloud-a:alice)${alternative}, not "${who ?? ''}"`, { details: { argument: who ?? '' } });
  }
  return { homeCloud: match[1]!, username: match[2]! };
}

/** The argument's home cloud must be a cloud of the spec. */
export function requireHomeCloudIn(spec: FederationSpec, subject: SubjectArgument): SubjectArgument {
  if (!spec.clouds.some((c) => c.alias === subject.homeCloud)) {
    const known = spec.clouds.map((c) => c.alias).join(', ');
    throw new BrokerError('ERR_USAGE', `home cloud "${subject.homeCloud}" is not a cloud of the spec (clouds: ${known})`,
      { details: { argument: `${subject.homeCloud}:${subject.username}`, cloud: subject.homeCloud } });
  }
  return subject;
}
