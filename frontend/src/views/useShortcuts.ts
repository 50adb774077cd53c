import { useEffect } from 'react';
import { hasCommandModifier, isTypingTarget } from '../lib/keys';
import type { Stores } from '../stores';

/**
 * The global keyboard shortcuts: j/k and the arrows move, a approves, d
 * opens the denial reason, s switches the diff layout, n/p step through
 * changed cells, ? toggles help, Esc closes. Keys typed into a
 * text field are left alone, and inside the details pane the arrows keep
 * scrolling it (j/k still move).
 */
export function useShortcuts(stores: Stores): void {
  useEffect(() => {
    function onKeyDown(e: KeyboardEvent) {
      if (e.defaultPrevented || e.isComposing) return;
      const ui = stores.ui.getState();
      const detail = stores.detail.getState();
      if (e.key === 'Escape') {
        if (ui.helpOpen) ui.closeHelp();
        else if (detail.denyOpen) detail.closeDeny();
        else if (detail.confirmOpen) detail.closeConfirm();
        else if (detail.decisionError) detail.dismissDecisionError();
        else return;
        e.preventDefault();
        return;
      }
      if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 'q' || e.key === 'Q')) {
        e.preventDefault();
        ui.quit();
        return;
      }
      if (isTypingTarget(e.target) || hasCommandModifier(e)) return;
      if (ui.helpOpen) {
        if (e.key === '?') {
          e.preventDefault();
          ui.closeHelp();
        }
        return;
      }
      const queue = stores.queue.getState();
      if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && inDetails(e.target)) return;
      switch (e.key) {
        case 'j':
        case 'ArrowDown':
          queue.move(1);
          break;
        case 'k':
        case 'ArrowUp':
          queue.move(-1);
          break;
        case 'a':
          // A held-down key must not approve one request after another, and
          // with the denial form open a stray "a" must not approve either.
          // With the confirmation open, only its button approves.
          if (e.repeat || detail.denyOpen || detail.confirmOpen) return;
          void detail.approve();
          break;
        case 's':
          if (e.repeat) return;
          stores.preview.getState().toggleMode();
          break;
        case 'n':
          stores.preview.getState().stepChange(1);
          break;
        case 'p':
          stores.preview.getState().stepChange(-1);
          break;
        case 'd':
          if (e.repeat) return;
          detail.openDeny();
          break;
        case '?':
          ui.toggleHelp();
          break;
        default:
          return;
      }
      e.preventDefault();
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [stores]);
}

function inDetails(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('.detail-scroll') !== null;
}
