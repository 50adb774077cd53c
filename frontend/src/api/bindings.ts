// The one file that touches the generated Wails bindings (frontend/wailsjs,
// produced by `make bindings`, never edited by hand). Everything else in the
// UI goes through api/index.ts, which converts what comes back into the types
// of api/types.ts.
export {
  Approve,
  ApproveSelection,
  Deny,
  ExportTimeline,
  Get,
  HistoryPreview,
  Info,
  Insights,
  ListDecided,
  ListPending,
  Preview,
  PreviewLines,
  Redo,
  Secrets,
  SheetWindow,
  Timeline,
  TimelineEvents,
  UIReady,
  Undo,
} from '../../wailsjs/go/app/App';
export { EventsOn, LogError, Quit } from '../../wailsjs/runtime/runtime';
