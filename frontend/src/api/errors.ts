// Errors from bound methods arrive as rejections whose message is a JSON
// string {"code": ..., "message": ...}. ApiError is that, typed.

export type ApiErrorCode = 'conflict' | 'not_found' | 'invalid' | 'cancelled' | 'internal';

const codes: readonly string[] = ['conflict', 'not_found', 'invalid', 'cancelled', 'internal'];

function fromParts(code: unknown, message: unknown): ApiError | undefined {
  if (typeof code !== 'string') return undefined;
  const msg = typeof message === 'string' ? message : '';
  // A code this UI does not know yet is still an error, with its words.
  return codes.includes(code) ? new ApiError(code as ApiErrorCode, msg) : new ApiError('internal', msg || code);
}

export class ApiError extends Error {
  readonly code: ApiErrorCode;

  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

function messageOf(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error) return reason.message;
  if (reason && typeof reason === 'object' && 'message' in reason) {
    const m = (reason as { message: unknown }).message;
    if (typeof m === 'string') return m;
  }
  try {
    return JSON.stringify(reason) ?? String(reason);
  } catch {
    return String(reason);
  }
}

/** Turns whatever a binding rejected with into an ApiError. */
export function toApiError(reason: unknown): ApiError {
  if (reason instanceof ApiError) return reason;
  // Already an object {code, message} (some transports parse it for us).
  if (reason && typeof reason === 'object' && !(reason instanceof Error) && 'code' in reason) {
    const o = reason as { code: unknown; message?: unknown };
    const e = fromParts(o.code, o.message);
    if (e) return e;
  }
  const text = messageOf(reason).trim();
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') {
        const { code, message } = parsed as { code?: unknown; message?: unknown };
        const e = fromParts(code, message);
        if (e) return e;
      }
    } catch {
      // Not JSON after all: fall through to plain text.
    }
  }
  return new ApiError('internal', text || 'Unknown error');
}
