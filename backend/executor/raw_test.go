package executor_test

import (
	"database/sql"
	"testing"

	_ "modernc.org/sqlite"
)

// openRaw opens the database file beside the store, as someone tampering
// with it would.
func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
