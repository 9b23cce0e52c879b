/** Error codes shared by the API and the client's single error handler. */
export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'setup_done',
  'invalid_credentials',
  'too_many_requests',
  'consent_required',
  'link_expired',
  'code_in_use',
  'payload_too_large',
  'not_stored',
  'internal'
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The JSON body of every error answer from `/api`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

/** True when `value` looks like an `ErrorBody` (for the client's error handler). */
export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}
