import type { ErrorReply, HttpError } from '../errors.ts';

/**
 * Spells an error in the API that `path` belongs to. The HTTP layer knows no API's error shape: the
 * app passes the dialects' table in.
 */
export type ErrorReplier = (path: string, error: HttpError) => ErrorReply;
