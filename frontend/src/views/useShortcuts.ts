import { useEffect } from 'react';
import { hasCommandModifier, isTypingTarget } from '../lib/keys';
import type { Stores } from '../stores';

/**
 * The global keyboard shortcuts: j/k and the arrows move, h switches between
 * the requests and the history, i opens the Insights and r the Rules (and
 * leave them), ? toggles help, Esc closes. In the requests, a approves, d
 * opens the denial reason, m opens Remember, s switches the diff layout, n/p
 * step through changed cells; in the history, u undoes and Shift+R redoes.
 * Keys typed into a text field are left alone, inside the details pane the
 * arrows keep scrolling it (j/k still move), and while a dialog is open only
 * the dialog answers.
 */
export function useShortcuts(stores: Stores): void {
  useEffect(() => {
    function onEscape(): boolean {
      const ui = stores.ui.getState();
      const detail = stores.detail.getState();
      const past = stores.historyDetail.getState();
      if (ui.helpOpen) ui.closeHelp();
      else if (past.conflicts) past.cancelConflicts();
      else if (ui.view === 'history') {
        if (!past.actionError) return false;
        past.dismissError();
      } else if (ui.view === 'rules') {
        const rules = stores.rules.getState();
        if (!rules.actionError) return false;
        rules.dismissError();
      } else if (detail.denyOpen) detail.closeDeny();
      else if (detail.confirmOpen) detail.closeConfirm();
      else if (detail.decisionError) detail.dismissDecisionError();
      else if (detail.rememberError) detail.dismissRememberError();
      else if (detail.remember.on) detail.toggleRemember();
      else return false;
      return true;
    }

    // Keys of the requests view; false when the key is not one of them.
    function onQueueKey(e: KeyboardEvent): boolean {
      const detail = stores.detail.getState();
      switch (e.key) {
        case 'a':
          // A held-down key must not approve one request after another, and
          // with the denial form open a stray "a" must not approve either.
          // With the confirmation open, only its button approves.
          if (!e.repeat && !detail.denyOpen && !detail.confirmOpen) void detail.approve();
          return true;
        case 's':
          if (!e.repeat) stores.preview.getState().toggleMode();
          return true;
        case 'n':
          stores.preview.getState().stepChange(1);
          return true;
        case 'p':
          stores.preview.getState().stepChange(-1);
          return true;
        case 'd':
          if (!e.repeat) detail.openDeny();
          return true;
        case 'm':
          if (!e.repeat && !detail.confirmOpen) detail.toggleRemember();
          return true;
        default:
          return false;
      }
    }

    // Keys of the history view. Undo and Redo ignore a held-down key: one
    // press, one undo.
    function onHistoryKey(e: KeyboardEvent): boolean {
      const past = stores.historyDetail.getState();
      switch (e.key) {
        case 'u':
          if (!e.repeat) void past.undo();
          return true;
        case 'R':
          if (!e.shiftKey) return false;
          if (!e.repeat) void past.redo();
          return true;
        default:
          return false;
      }
    }

    function onKeyDown(e: KeyboardEvent) {
      if (e.defaultPrevented || e.isComposing) return;
      const ui = stores.ui.getState();
      if (e.key === 'Escape') {
        if (onEscape()) e.preventDefault();
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
      // The conflict dialog is modal: its buttons and Esc answer it.
      if (stores.historyDetail.getState().conflicts) return;
      if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && inDetails(e.target)) return;
      const list = ui.view === 'history' ? stores.history.getState() : stores.queue.getState();
      let handled = true;
      if (e.key === '?') ui.toggleHelp();
      else if (e.key === 'h') {
        if (!e.repeat) ui.toggleView();
      } else if (e.key === 'i') {
        if (!e.repeat) ui.toggleInsights();
      } else if (e.key === 'r') {
        if (!e.repeat) ui.toggleRules();
      } else if (ui.view === 'insights' || ui.view === 'rules') handled = false;
      else if (e.key === 'j' || e.key === 'ArrowDown') list.move(1);
      else if (e.key === 'k' || e.key === 'ArrowUp') list.move(-1);
      else handled = ui.view === 'history' ? onHistoryKey(e) : onQueueKey(e);
      if (handled) e.preventDefault();
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [stores]);
}

function inDetails(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('.detail-scroll') !== null;
}
