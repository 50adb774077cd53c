package intent

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/gowebpki/jcs"

	"countersign/backend/proposal"
)

// ActionDigest returns what a token says about one action: its target, for
// people, and the SHA-256 (lower-case hex) of everything that decides what
// the action does. The executor recomputes both from the stored action and
// MatchProposal compares them with the token.
//
// target is the path for file and directory kinds and sheet.update (the
// source path for file.move), argv joined with single spaces for
// command.run, the URL for net.request and the tool name for tool.call.
// Bytes that are not UTF-8 become U+FFFD, as in the token's JSON.
//
// contentSHA256 is SHA-256 over the RFC 8785 (JCS) form of one JSON object
// per kind. Every member is always present:
//
//	file.write    {"kind","path","content_sha256"}   content_sha256 = hex SHA-256 of the exact content bytes
//	file.edit     {"kind","path","edits":[{"old","new","replace_all"},...]}
//	file.delete   {"kind","path"}
//	file.move     {"kind","path","to"}
//	dir.create    {"kind","path"}
//	sheet.update  {"kind","path","cells":[{"sheet","cell","value","formula"},...]}
//	command.run   {"kind","argv":[...],"dir","timeout_sec","writes":[...]}, and "check":true for a post-check
//	net.request   {"kind","method","url","body_sha256"} body_sha256 = hex SHA-256 of the exact body bytes
//	tool.call     {"kind","tool","input"}            input: the JSON value itself (so JCS fixes its form);
//	                                                 absent when the action has no input; replaced by
//	                                                 "input_invalid_sha256" (hex SHA-256 of the bytes)
//	                                                 when the input is not JSON
//	other kinds   {"kind","action"}                  action: the whole action as JSON (its input
//	                                                 as "input_invalid_sha256" if that is not JSON)
//
// A string that is not valid UTF-8 is written as {"base64": <standard base64
// of its bytes>} instead of a JSON string, so distinct byte strings never
// hash alike. Lists keep their order; a nil list is []. Numbers inside tool
// input follow RFC 8785, i.e. IEEE 754 doubles, as the window that showed
// them reads them.
func ActionDigest(a proposal.Action) (target string, contentSHA256 string) {
	var params map[string]any
	switch a.Kind {
	case proposal.KindFileWrite:
		target = a.Path
		params = map[string]any{"path": str(a.Path), "content_sha256": sha256Hex([]byte(a.Content))}
	case proposal.KindFileEdit:
		target = a.Path
		edits := make([]any, len(a.Edits))
		for i, e := range a.Edits {
			edits[i] = map[string]any{"old": str(e.Old), "new": str(e.New), "replace_all": e.ReplaceAll}
		}
		params = map[string]any{"path": str(a.Path), "edits": edits}
	case proposal.KindFileDelete, proposal.KindDirCreate:
		target = a.Path
		params = map[string]any{"path": str(a.Path)}
	case proposal.KindFileMove:
		target = a.Path
		params = map[string]any{"path": str(a.Path), "to": str(a.To)}
	case proposal.KindSheetUpdate:
		target = a.Path
		cells := make([]any, len(a.Cells))
		for i, c := range a.Cells {
			cells[i] = map[string]any{"sheet": str(c.Sheet), "cell": str(c.Cell), "value": str(c.Value), "formula": str(c.Formula)}
		}
		params = map[string]any{"path": str(a.Path), "cells": cells}
	case proposal.KindCommandRun:
		target = strings.Join(a.Argv, " ")
		params = map[string]any{"argv": strs(a.Argv), "dir": str(a.Dir), "timeout_sec": a.TimeoutSec, "writes": strs(a.Writes)}
		if a.Check {
			params["check"] = true
		}
	case proposal.KindNetRequest:
		target = a.URL
		params = map[string]any{"method": str(a.Method), "url": str(a.URL), "body_sha256": sha256Hex([]byte(a.Body))}
	case proposal.KindToolCall:
		target = a.Tool
		params = map[string]any{"tool": str(a.Tool)}
		if len(a.Input) > 0 {
			if c, err := jcs.Transform(a.Input); err == nil {
				params["input"] = json.RawMessage(c)
			} else {
				params["input_invalid_sha256"] = sha256Hex(a.Input)
			}
		}
	default:
		target = a.Path
		params = map[string]any{}
		whole, err := json.Marshal(a)
		if err != nil { // only an Input that is not JSON fails
			params["input_invalid_sha256"] = sha256Hex(a.Input)
			b := a
			b.Input = nil
			whole, _ = json.Marshal(b)
		}
		params["action"] = json.RawMessage(whole)
	}
	params["kind"] = str(string(a.Kind))
	return jsonText(target), sha256Hex(canonical(params))
}

// canonical returns the JCS form of v, which holds only maps, slices,
// strings, bools, ints and JCS-transformed raw JSON.
func canonical(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		panic("intent: digest parameters do not marshal: " + err.Error())
	}
	c, err := jcs.Transform(raw)
	if err != nil {
		panic("intent: digest parameters are not canonicalisable: " + err.Error())
	}
	return c
}

// str is s as a JSON string when it is UTF-8, else as {"base64": ...}.
func str(s string) any {
	if utf8.ValidString(s) {
		return s
	}
	return map[string]string{"base64": base64.StdEncoding.EncodeToString([]byte(s))}
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = str(s)
	}
	return out
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// jsonText returns s as it reads back from JSON: each byte that is not part
// of a valid UTF-8 sequence replaced by U+FFFD, as encoding/json writes it.
func jsonText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}
