import { useEffect, type RefObject } from 'react';

/**
 * For a dialog: focuses target when it opens and, when it closes, gives
 * focus back to what had it before (with onlyIfLost, only if focus has not
 * moved on elsewhere meanwhile).
 */
export function useFocusWhileOpen(target: RefObject<HTMLElement | null>, onlyIfLost = false): void {
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    target.current?.focus();
    return () => {
      if (!previous?.isConnected) return;
      if (!onlyIfLost || document.activeElement === document.body) previous.focus();
    };
    // Both are fixed for a dialog's life: this runs on opening and closing.
  }, [target, onlyIfLost]);
}
