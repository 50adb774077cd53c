package sheet

import (
	"errors"
	"fmt"
	"strings"

	"countersign/backend/errs"
)

var (
	// ErrTooLarge is matched by every *TooLargeError.
	ErrTooLarge = errors.New("spreadsheet too large to preview")
	// ErrUnsupported is matched by every *UnsupportedError: the bytes are not
	// a workbook this package can read, and the caller should fall back to a
	// binary summary.
	ErrUnsupported = errors.New("spreadsheet format not supported")
	// ErrInvalidEdit is matched by every *EditError: a sheet.update asks for
	// something that cannot be applied as asked.
	ErrInvalidEdit = errors.New("invalid cell edit")
)

// TooLargeError reports input over one of the Options limits. Nothing past
// the limit was read or kept.
type TooLargeError struct {
	What  string // what overflowed, for people: "the workbook", "a row of Sheet1", ...
	Limit int64  // the limit, in Unit
	Unit  string // "bytes", "entries", "cells", "rows"
}

func (e *TooLargeError) Error() string {
	if e.Unit == "bytes" {
		verb := "is larger than"
		if strings.Contains(e.What, "workbook") {
			verb = "expands to more than" // a zip part, decompressed
		}
		return fmt.Sprintf("%s %s %s; Countersign does not preview it cell by cell", e.What, verb, megabytes(e.Limit))
	}
	return fmt.Sprintf("%s has more than %d %s; Countersign does not preview it cell by cell", e.What, e.Limit, e.Unit)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// ErrorCode classifies the error for the app's error translation.
func (e *TooLargeError) ErrorCode() errs.Code { return errs.CodeInvalid }

func megabytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// UnsupportedError says why a file cannot be previewed cell by cell.
type UnsupportedError struct {
	Reason string // for people: "this is an old .xls file (BIFF); ..."
	Err    error  // the underlying cause, if any
}

func (e *UnsupportedError) Error() string { return e.Reason }

// Unwrap returns the cause.
func (e *UnsupportedError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnsupported) true.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// ErrorCode classifies the error for the app's error translation.
func (e *UnsupportedError) ErrorCode() errs.Code { return errs.CodeInvalid }

func unsupported(format string, args ...any) *UnsupportedError {
	return &UnsupportedError{Reason: fmt.Sprintf(format, args...)}
}

// damaged reports a workbook whose parts do not follow the file format.
func damaged(format string, args ...any) *UnsupportedError {
	return &UnsupportedError{Reason: "the workbook is damaged: " + fmt.Sprintf(format, args...)}
}

// EditError names the edit of a sheet.update that cannot be applied.
type EditError struct {
	Index  int    // position of the edit in the list
	Sheet  string // as given
	Cell   string // as given
	Reason string
}

func (e *EditError) Error() string {
	return fmt.Sprintf("cell edit %d (%s!%s): %s", e.Index+1, e.Sheet, e.Cell, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidEdit) true.
func (e *EditError) Is(target error) bool { return target == ErrInvalidEdit }

// ErrorCode classifies the error for the app's error translation.
func (e *EditError) ErrorCode() errs.Code { return errs.CodeInvalid }
