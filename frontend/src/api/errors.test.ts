import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from './errors';

describe('toApiError', () => {
  it('parses the JSON the backend rejects with', () => {
    const e = toApiError('{"code":"conflict","message":"proposal is approved"}');
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe('conflict');
    expect(e.message).toBe('proposal is approved');
  });

  it('parses it inside an Error too', () => {
    expect(toApiError(new Error('{"code":"not_found","message":"no such proposal"}')).code).toBe('not_found');
  });

  it('accepts an already parsed object', () => {
    expect(toApiError({ code: 'invalid', message: 'bad id' }).code).toBe('invalid');
  });

  it('falls back to plain text', () => {
    const e = toApiError('backend unavailable');
    expect(e.code).toBe('internal');
    expect(e.message).toBe('backend unavailable');
  });

  it('keeps the words of an unknown code', () => {
    const e = toApiError('{"code":"busy","message":"try later"}');
    expect(e.code).toBe('internal');
    expect(e.message).toBe('try later');
  });
});
