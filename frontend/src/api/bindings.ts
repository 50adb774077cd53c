// The one file that touches the generated Wails bindings (frontend/wailsjs,
// produced by `make bindings`, never edited by hand). Everything else in the
// UI goes through api/index.ts, which converts what comes back into the types
// of api/types.ts.
export {
  AcceptRulesFile,
  ApplyRole,
  Approve,
  ApproveSelection,
  Deny,
  ExportTimeline,
  Get,
  Info,
  Insights,
  ListDecided,
  ListPending,
  Policy,
  Preview,
  PreviewLines,
  PreviewRemember,
  Redo,
  RejectRulesFile,
  Remember,
  RevokeRule,
  Secrets,
  SetBudget,
  SetPaused,
  SheetWindow,
  Timeline,
  TimelineEvents,
  UIReady,
  Undo,
} from '../../wailsjs/go/app/App';
export { EventsOn, LogError, Quit } from '../../wailsjs/runtime/runtime';
