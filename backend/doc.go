// Package backend holds Countersign's product logic, one package per idea.
//
// It guarantees, by the tests beside this file, that no package below it
// imports the Wails GUI toolkit (only app/ does) and that every package
// starts with a doc comment that says what it guarantees.
package backend
