// The `<home cloud>:<username>` argument of explain and logout: one parser, one error.
import { BrokerError } from '../core/errors.ts';

export interface SubjectArgument { readonly homeCloud: string; readonly username: string }

export function parseSubjectArgument(who: string | undefined, alternative = ''): SubjectArgument {
  const match = /^([a-z][a-z0-9-]*):(.+)$/.exec(who ?? '');
  if (!match) {
    throw new BrokerError('ERR_USAGE', `name the user as <home cloud>:<username> (e.g. cloud-a:alice)${alternative}, not "${who ?? ''}"`, { details: { argument: who ?? '' } });
  }
  return { homeCloud: match[1]!, username: match[2]! };
}
