import { renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { useNow } from './clock';

describe('useNow', () => {
  it('keeps its reading across re-renders, so a slow render cannot loop', () => {
    const now = vi.spyOn(Date, 'now');
    let t = 1_000_000;
    now.mockImplementation(() => (t += 7)); // time moves on every read, as during a slow render
    const { result, rerender } = renderHook(() => useNow(30_000));
    const first = result.current;
    for (let i = 0; i < 20; i++) rerender();
    expect(result.current).toBe(first);
    now.mockRestore();
  });
});
