// What an openid-client failure was, for the adapters that call it to translate into BrokerErrors:
// a failure of the broker's own HTTP module (already a BrokerError, e.g. ERR_HTTP_UNREACHABLE,
// somewhere in the cause chain), an HTTP status the server answered with, or a protocol problem
// (a document or answer openid-client refused) with openid-client's own code and message.
import { ClientError, ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';
import { isBrokerError, type BrokerError } from '../../core/errors.ts';

export type OpenIdFailure =
  | { readonly kind: 'http-module'; readonly error: BrokerError }
  | { readonly kind: 'status'; readonly status: number; readonly oauthError?: string }
  | { readonly kind: 'protocol'; readonly code: string; readonly message: string };

export function classifyOpenIdFailure(error: unknown): OpenIdFailure {
  for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth += 1) {
    if (isBrokerError(e)) return { kind: 'http-module', error: e };
  }
  if (error instanceof ResponseBodyError) return { kind: 'status', status: error.status, oauthError: error.error };
  if (error instanceof WWWAuthenticateChallengeError) return { kind: 'status', status: error.status };
  const cause = (error as { cause?: unknown }).cause;
  if (error instanceof ClientError && error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && cause instanceof Object && typeof (cause as { status?: unknown }).status === 'number') {
    return { kind: 'status', status: (cause as { status: number }).status };
  }
  const code = (error as { code?: unknown }).code;
  return { kind: 'protocol', code: typeof code === 'string' ? code : 'unknown', message: error instanceof Error ? error.message : String(error) };
}
