// Package sheet computes the cell-level previews a person reviews before a
// spreadsheet changes: which cells of which sheets change (value, cached
// value, formula, type), which rows, columns, sheets, merged ranges and
// defined names appear or disappear, and which formulas depend on the cells
// that change. It reads .xlsx workbooks (for sheet.update actions, and for a
// file.write of an .xlsx over an .xlsx) and RFC 4180 .csv files, serves
// viewports of a sheet for a virtualised grid, and applies sheet.update edits.
//
// It guarantees:
//
//   - Exact. Every cell a ChangeSet lists reads, on each side, as the
//     workbook holds it: the stored value or cached formula result, the
//     formula (shared formulas derived for each cell from the cell that
//     defines them), the type. A cell counts as unchanged only when its type,
//     value and formula are equal on both sides (numbers compared as
//     numbers). A sheet.update preview is the comparison of the workbook
//     with the edits overlaid on it, made by the same code that compares two
//     files, and Apply writes that overlay: the edited cells change, parts
//     without edits are copied through byte for byte, and comparing the
//     written file with the original gives the preview again (VerifyApplied
//     checks it). Formatting is not compared, except a number format that
//     turns a number into a date.
//   - Bounded. Workbooks are read as streams, row by row, both sides in step;
//     nothing holds a whole sheet, and memory stays within a few tens of MB
//     at any size: shared strings past Options.MemoryBytes move to a
//     temporary file, formula references past it are found in a second pass,
//     and output is capped (Options.MaxCells changed cells, MaxDependents,
//     MaxSpans) with everything counted and Truncated set. Tokens, rows,
//     strings, nesting and the zip directory have fixed limits.
//   - Safe on hostile files. A workbook whose zip directory declares more than
//     Options.MaxExpandedBytes is refused with a *TooLargeError (ErrTooLarge)
//     before it is read, and a part that expands past what its header
//     declares is refused while it is read, never by running out of memory.
//     .xls, .xlsb, .ods, encrypted, damaged and non-workbook files get an
//     *UnsupportedError (ErrUnsupported) that says what the file is, so the
//     caller can fall back to a binary summary. XML with a DOCTYPE or with
//     tags that do not nest is refused; no input panics (fuzz tests keep it
//     so).
//   - Cancellable. Every long loop checks its context, and Options.Progress
//     reports rows read and the share of the XML read as it goes.
//
// A row (column) is "added" when no cell of it holds a value or formula on
// the old side and at least one does on the new side, and "removed" the other
// way round; formatting alone does not count, and a cell holding the empty
// string counts as empty. Rows are compared by number, not aligned: inserting
// a row shows the rows below it as changed. A sheet missing on one side is
// added or removed, unless it pairs with one missing on the other side whose
// non-empty cells are at least 90% the same (sheets keep their content when
// renamed): then it is renamed. A formula "depends on changed cells" when one
// of its references (A1, $A$1, A1:B9, Sheet2!A1, 'My Sheet'!A1:C3, A:A, 1:1,
// 3-D references, and defined names that resolve to them) covers a changed
// cell; only direct dependents are listed. References that cannot be known
// without calculating (INDIRECT, OFFSET, tables, other workbooks) are not
// followed, and ChangeSet.Notes says when a workbook has them.
//
// A Workbook is safe for concurrent use; calls on one workbook take turns.
package sheet

// Options bound the work and the output. A zero field takes its default.
type Options struct {
	// MaxExpandedBytes bounds what one workbook may expand to: the sum of the
	// sizes its zip directory declares, each of which also bounds its part as
	// it is read. Default 4 GiB (a 1,000,000-row sheet is about 1 GB of XML).
	MaxExpandedBytes int64
	// MemoryBytes bounds what a comparison keeps in each of its growing
	// tables before it changes strategy: shared strings (half of it per
	// workbook) move to a temporary file; formulas waiting for cells read
	// later (half of it) are found again in a second pass; changed cells
	// kept for tracing dependents (MemoryBytes/8 of them) stop being traced,
	// and Notes says so. Default 8 MB.
	MemoryBytes int64
	// MaxCells is the most changed cells a ChangeSet lists (default 10,000).
	MaxCells int
	// MaxDependents is the most dependent formulas listed (default 1,000),
	// and MaxDependsOn the most changed cells named for each (default 20).
	MaxDependents int
	MaxDependsOn  int
	// MaxSpans is the most row, column or merged-range spans listed per
	// sheet for each kind (default 1,000).
	MaxSpans int
	// MaxEdits is the most cell edits one sheet.update may hold (default
	// 100,000).
	MaxEdits int
	// MaxCSVRecordBytes bounds one CSV record (default 4 MB).
	MaxCSVRecordBytes int
	// TempDir is where shared strings spill; "" is the system default.
	TempDir string
	// Progress, when set, is called as rows are read.
	Progress func(Progress)
}

// DefaultOptions are the values a zero Options field takes.
func DefaultOptions() Options {
	return Options{
		MaxExpandedBytes:  4 << 30,
		MemoryBytes:       8 << 20,
		MaxCells:          10000,
		MaxDependents:     1000,
		MaxDependsOn:      20,
		MaxSpans:          1000,
		MaxEdits:          100000,
		MaxCSVRecordBytes: 4 << 20,
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxExpandedBytes <= 0 {
		o.MaxExpandedBytes = d.MaxExpandedBytes
	}
	if o.MemoryBytes <= 0 {
		o.MemoryBytes = d.MemoryBytes
	}
	if o.MaxCells <= 0 {
		o.MaxCells = d.MaxCells
	}
	if o.MaxDependents <= 0 {
		o.MaxDependents = d.MaxDependents
	}
	if o.MaxDependsOn <= 0 {
		o.MaxDependsOn = d.MaxDependsOn
	}
	if o.MaxSpans <= 0 {
		o.MaxSpans = d.MaxSpans
	}
	if o.MaxEdits <= 0 {
		o.MaxEdits = d.MaxEdits
	}
	if o.MaxCSVRecordBytes <= 0 {
		o.MaxCSVRecordBytes = d.MaxCSVRecordBytes
	}
	return o
}

// Progress reports how far a comparison has read.
type Progress struct {
	Sheet string `json:"sheet"` // the sheet being read
	Rows  int64  `json:"rows"`  // rows read so far, all sheets
	// Total is the rows the sheets declare, 0 when they do not say or say
	// less than they hold (some writers leave the declaration at A1).
	Total int64 `json:"total"`
	// Fraction is the share of the sheets' XML read so far, 0 to 1: a
	// measure that is always known.
	Fraction float64 `json:"fraction"`
}

// ChangeSet is the cell-level preview of a spreadsheet change.
type ChangeSet struct {
	Format     string        `json:"format"`  // "xlsx" or "csv"
	Summary    string        `json:"summary"` // "31 cells in 2 sheets, 1 row added"
	Sheets     []SheetChange `json:"sheets"`  // sheets with changes: the new workbook's order, then removed sheets
	Names      []NameChange  `json:"names,omitempty"`
	Dependents []Dependent   `json:"dependents,omitempty"` // formulas that depend on changed cells
	Notes      []string      `json:"notes,omitempty"`      // remarks for people
	Totals     Totals        `json:"totals"`
	// Truncated is set when some changes are counted but not listed.
	Truncated bool `json:"truncated"`
}

// Totals count every change, listed or not.
type Totals struct {
	Cells         int `json:"cells"`  // changed cells
	Sheets        int `json:"sheets"` // sheets with changed cells
	RowsAdded     int `json:"rows_added"`
	RowsRemoved   int `json:"rows_removed"`
	ColsAdded     int `json:"cols_added"`
	ColsRemoved   int `json:"cols_removed"`
	SheetsAdded   int `json:"sheets_added"`
	SheetsRemoved int `json:"sheets_removed"`
	SheetsRenamed int `json:"sheets_renamed"`
	Visibility    int `json:"visibility"` // sheets shown or hidden
	Merges        int `json:"merges"`     // merged ranges added or removed (as listed)
	Names         int `json:"names"`      // defined names added, removed or changed
	Dependents    int `json:"dependents"` // formulas that depend on changed cells
}

// SheetStatus says what happened to a sheet.
type SheetStatus string

const (
	SheetModified SheetStatus = "modified"
	SheetAdded    SheetStatus = "added"
	SheetRemoved  SheetStatus = "removed"
	SheetRenamed  SheetStatus = "renamed" // and possibly modified
)

// SheetChange is what changes in one sheet.
type SheetChange struct {
	Name       string       `json:"name"`               // the new name (the old one for a removed sheet)
	OldName    string       `json:"old_name,omitempty"` // for a renamed sheet
	Status     SheetStatus  `json:"status"`
	Kind       string       `json:"kind"` // "worksheet", "chartsheet", ...
	Visibility *Change      `json:"visibility,omitempty"`
	Cells      []CellChange `json:"cells"` // row-major
	// CellsChanged counts changed cells, listed or not.
	CellsChanged int    `json:"cells_changed"`
	RowsAdded    []Span `json:"rows_added,omitempty"`
	RowsRemoved  []Span `json:"rows_removed,omitempty"`
	ColsAdded    []Span `json:"cols_added,omitempty"`
	ColsRemoved  []Span `json:"cols_removed,omitempty"`
	// Counts of rows and columns added and removed, listed or not.
	RowsAddedCount   int      `json:"rows_added_count"`
	RowsRemovedCount int      `json:"rows_removed_count"`
	ColsAddedCount   int      `json:"cols_added_count"`
	ColsRemovedCount int      `json:"cols_removed_count"`
	MergesAdded      []string `json:"merges_added,omitempty"` // "A1:C3"
	MergesRemoved    []string `json:"merges_removed,omitempty"`
	// Rows and Cols are the last row and column holding a value or formula
	// (in the new sheet; the old one for a removed sheet), for sizing a grid.
	Rows     int      `json:"rows"`
	Cols     int      `json:"cols"`
	Warnings []string `json:"warnings,omitempty"`
	// Truncated is set when some of this sheet's changes are not listed.
	Truncated bool `json:"truncated"`
}

// Change is an old and a new value of a property.
type Change struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// Span is a run of rows or columns, both ends included, with its A1 label
// ("5", "5:9", "C", "C:E").
type Span struct {
	First int    `json:"first"`
	Last  int    `json:"last"`
	Label string `json:"label"`
}

// CellKind says how a cell changes.
type CellKind string

const (
	CellAdded    CellKind = "added"    // empty before
	CellRemoved  CellKind = "removed"  // empty after
	CellModified CellKind = "modified" // value, formula or type differ
)

// CellChange is one changed cell.
type CellChange struct {
	Cell           string     `json:"cell"` // "B7"
	Row            int        `json:"row"`
	Col            int        `json:"col"`
	Change         CellKind   `json:"change"`
	Old            *CellValue `json:"old,omitempty"`
	New            *CellValue `json:"new,omitempty"`
	TypeChanged    bool       `json:"type_changed,omitempty"`
	FormulaChanged bool       `json:"formula_changed,omitempty"`
}

// CellType is the type of a cell's value (for a formula, of its cached
// result).
type CellType string

const (
	TypeNumber CellType = "number"
	TypeString CellType = "string"
	TypeBool   CellType = "bool"
	TypeError  CellType = "error"
	TypeDate   CellType = "date" // a number shown as a date, or an ISO 8601 date cell
)

// CellValue is what one cell holds.
type CellValue struct {
	Type    CellType `json:"type,omitempty"` // empty for a formula without a cached result
	Value   string   `json:"value"`          // as stored: 45366, TRUE, #DIV/0!, text
	Display string   `json:"display,omitempty"`
	Formula string   `json:"formula,omitempty"` // without the leading "="
	Array   bool     `json:"array,omitempty"`   // an array formula
	// Uncalculated marks a formula without a cached result: the spreadsheet
	// app computes it when it opens the workbook.
	Uncalculated bool `json:"uncalculated,omitempty"`
}

// Dependent is a formula that depends on cells that change: its cached value
// is what the workbook shows now, and the spreadsheet app recalculates it.
type Dependent struct {
	Sheet     string    `json:"sheet"`
	Cell      string    `json:"cell"`
	Row       int       `json:"row"`
	Col       int       `json:"col"`
	Formula   string    `json:"formula"`
	Value     string    `json:"value"`      // the cached value, "" when none
	DependsOn []CellRef `json:"depends_on"` // the first changed cells it covers
	// DependsOnCount counts the changed cells it covers, listed or not.
	DependsOnCount int `json:"depends_on_count"`
}

// CellRef names a cell of a sheet.
type CellRef struct {
	Sheet string `json:"sheet"`
	Cell  string `json:"cell"`
}

// NameChange is a defined name that appears, disappears or changes.
type NameChange struct {
	Name   string   `json:"name"`
	Scope  string   `json:"scope,omitempty"` // the sheet of a sheet-level name
	Change CellKind `json:"change"`          // added, removed or modified
	Old    string   `json:"old,omitempty"`
	New    string   `json:"new,omitempty"`
}
