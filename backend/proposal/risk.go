package proposal

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// Thresholds that raise the risk of a proposal by one level.
const (
	manyFiles    = 20      // more file actions than this
	largeContent = 1 << 20 // more content bytes than this, over all actions
)

// rank orders risks; an unknown risk ranks above critical so that it is never
// lowered by accident.
func (r Risk) rank() int {
	switch r {
	case RiskLow:
		return 0
	case RiskMedium:
		return 1
	case RiskHigh:
		return 2
	case RiskCritical:
		return 3
	}
	return 4
}

// Known reports whether r is one of the four risk levels.
func (r Risk) Known() bool { return r.rank() < 4 }

// AtLeast returns the higher of r and min.
func (r Risk) AtLeast(min Risk) Risk {
	if min.rank() > r.rank() {
		return min
	}
	return r
}

// raise returns the next level up, stopping at critical.
func (r Risk) raise() Risk {
	switch r {
	case RiskLow:
		return RiskMedium
	case RiskMedium:
		return RiskHigh
	}
	return RiskCritical
}

// credentialDirs are path components that lead into credential stores.
var credentialDirs = map[string]bool{
	".ssh": true, ".aws": true, ".gnupg": true, ".kube": true, ".docker": true,
	".password-store": true, ".netrc": true, ".git-credentials": true, ".pgpass": true,
	"keychains": true,
}

// systemDirs are top-level directories of the operating system.
var systemDirs = map[string]bool{
	"etc": true, "boot": true, "usr": true, "bin": true, "sbin": true, "lib": true, "lib64": true,
	"system": true, "windows": true,
}

// shells run a script given with -c (or the equivalent).
var shells = map[string]bool{
	"sh": true, "bash": true, "zsh": true, "dash": true, "ksh": true, "fish": true,
	"pwsh": true, "powershell": true, "cmd": true,
}

// wrappers run the rest of argv as a command.
var wrappers = map[string]bool{"env": true, "nohup": true, "nice": true, "time": true, "command": true, "exec": true}

// asOtherUser and destructive name programs that make any command critical.
var (
	asOtherUser = map[string]bool{"sudo": true, "doas": true, "su": true, "pkexec": true, "runas": true}
	destructive = map[string]bool{"dd": true, "shred": true, "wipefs": true, "fdisk": true, "parted": true, "diskutil": true, "format": true}
)

var (
	pipeToShell = regexp.MustCompile(`\b(curl|wget)\b[^|;&]*\|\s*(sudo\s+)?(ba|z|da|k)?sh\b`)
	scriptSudo  = regexp.MustCompile(`(^|[\s;&|(])(sudo|doas|su)\s`)
	scriptRmR   = regexp.MustCompile(`(^|[\s;&|(])rm\s+(-[A-Za-z]*[rR]|--recursive)`)
	scriptMkfs  = regexp.MustCompile(`(^|[\s;&|(])(mkfs(\.\w+)?|dd)\s`)
)

// assessment accumulates a risk and the reasons for it.
type assessment struct {
	risk    Risk
	reasons []string
	seen    map[string]bool
}

func (a *assessment) add(min Risk, reason string) {
	a.risk = a.risk.AtLeast(min)
	if reason != "" && !a.seen[reason] {
		a.seen[reason] = true
		a.reasons = append(a.reasons, reason)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// AssessRisk returns how much harm p's actions could do; see Assess.
func AssessRisk(p *Proposal) Risk {
	r, _ := Assess(p)
	return r
}

// Assess judges p from its actions and workspace alone, without touching the
// filesystem, and returns the risk with plain-English reasons for the person
// reviewing it ("deletes 3 files", "writes outside the workspace: /etc/hosts").
//
// The baseline is low. File writes, edits, directory creation and cell values
// are low; formulas, moves and tool calls medium; deletes, commands and network
// requests high. A path outside the workspace (after lexical cleaning) makes it
// at least high; a path into a credential store or a system directory, and a
// command that runs as another user, erases recursively or pipes a download
// into a shell, make it critical. More than 20 file actions, and more than
// 1 MiB of content, each raise it one level. Risk is a hint for the reviewer
// and for policy; it is not the security boundary.
func Assess(p *Proposal) (Risk, []string) {
	a := &assessment{risk: RiskLow, seen: map[string]bool{}}
	var (
		counts  = map[Kind]int{}
		cells   int
		hosts   []string
		tools   []string
		content int
	)
	for i := range p.Actions {
		act := &p.Actions[i]
		counts[act.Kind]++
		content += len(act.Content) + editBytes(act.Edits) + cellBytes(act.Cells) +
			stringsBytes(act.Argv) + len(act.Body) + len(act.Input)
		switch act.Kind {
		case KindFileWrite, KindFileEdit, KindDirCreate:
			a.add(RiskLow, "")
		case KindSheetUpdate:
			cells += len(act.Cells)
			for _, c := range act.Cells {
				if c.Formula != "" {
					a.add(RiskMedium, "sets spreadsheet formulas")
					break
				}
			}
		case KindFileMove:
			a.add(RiskMedium, "")
		case KindFileDelete:
			a.add(RiskHigh, "")
		case KindCommandRun:
			a.add(RiskHigh, "")
			assessCommand(a, act.Argv)
		case KindNetRequest:
			a.add(RiskHigh, "")
			host := act.URL
			if u, err := url.Parse(act.URL); err == nil && u.Host != "" {
				host = u.Host
			}
			hosts = appendNew(hosts, host)
		case KindToolCall:
			a.add(RiskMedium, "")
			tools = appendNew(tools, act.Tool)
		default:
			a.add(RiskHigh, fmt.Sprintf("has an action of unknown kind %q", act.Kind))
		}
	}

	// What it does, in the order of Kinds.
	var what []string
	for _, k := range Kinds {
		if n := counts[k]; n > 0 {
			what = append(what, describeKind(k, n, cells, hosts, tools))
		}
	}
	a.reasons = append(what, a.reasons...)

	// Where it reaches.
	paths := 0
	for i := range p.Actions {
		act := &p.Actions[i]
		for _, t := range targets(act) {
			paths++
			assessPath(a, p.Workspace, t)
		}
	}
	if paths > 0 && p.Workspace == "" {
		a.add(RiskHigh, "names no workspace")
	}

	// How much.
	files := counts[KindFileWrite] + counts[KindFileEdit] + counts[KindFileDelete] +
		counts[KindFileMove] + counts[KindDirCreate] + counts[KindSheetUpdate]
	if files > manyFiles {
		a.risk = a.risk.raise()
		a.add(a.risk, fmt.Sprintf("changes %d files", files))
	}
	if content > largeContent {
		a.risk = a.risk.raise()
		a.add(a.risk, fmt.Sprintf("carries %.1f MiB of content", float64(content)/(1<<20)))
	}
	return a.risk, a.reasons
}

// describeKind says what n actions of kind k do.
func describeKind(k Kind, n, cells int, hosts, tools []string) string {
	switch k {
	case KindFileWrite:
		return "writes " + plural(n, "file", "files")
	case KindFileEdit:
		return "edits " + plural(n, "file", "files")
	case KindFileDelete:
		return "deletes " + plural(n, "file", "files")
	case KindFileMove:
		return "moves " + plural(n, "file", "files")
	case KindDirCreate:
		return "creates " + plural(n, "directory", "directories")
	case KindSheetUpdate:
		return "changes " + plural(cells, "cell", "cells") + " in " + plural(n, "workbook", "workbooks")
	case KindCommandRun:
		if n == 1 {
			return "runs a command"
		}
		return fmt.Sprintf("runs %d commands", n)
	case KindNetRequest:
		return "sends data out to " + listShort(hosts)
	case KindToolCall:
		return "calls " + plural(len(tools), "tool", "tools") + ": " + listShort(tools)
	}
	return ""
}

// targets lists the paths an action reaches.
func targets(a *Action) []string {
	var ts []string
	switch a.Kind {
	case KindFileWrite, KindFileEdit, KindFileDelete, KindDirCreate, KindSheetUpdate:
		ts = append(ts, a.Path)
	case KindFileMove:
		ts = append(ts, a.Path, a.To)
	case KindCommandRun:
		if a.Dir != "" {
			ts = append(ts, a.Dir)
		}
		ts = append(ts, a.Writes...)
	}
	out := ts[:0]
	for _, t := range ts {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// assessPath judges one target lexically against the workspace.
func assessPath(a *assessment, workspace, p string) {
	home := strings.HasPrefix(p, "~")
	abs := p
	switch {
	case home:
		abs = filepath.Clean(p)
	case filepath.IsAbs(p):
		abs = filepath.Clean(p)
	case workspace != "":
		abs = filepath.Join(workspace, p)
	}
	if !home && workspace != "" && !within(workspace, abs) {
		a.add(RiskHigh, "writes outside the workspace: "+p)
	}
	if home {
		a.add(RiskHigh, "writes into the home directory: "+p)
	}

	for c := range strings.SplitSeq(strings.ToLower(filepath.ToSlash(abs)), "/") {
		if credentialDirs[c] {
			a.add(RiskCritical, "touches a credential store: "+p)
			return
		}
	}
	if filepath.IsAbs(abs) {
		rest := strings.TrimPrefix(filepath.ToSlash(strings.TrimPrefix(abs, filepath.VolumeName(abs))), "/")
		// The first two components of rest, as strings.Split would give them.
		top, after, deeper := strings.Cut(strings.ToLower(rest), "/")
		second, _, _ := strings.Cut(after, "/")
		if top == "private" && deeper && second == "etc" {
			top = second // /private/etc is /etc (macOS)
		}
		if systemDirs[top] && !(top == "usr" && deeper && second == "local") {
			a.add(RiskCritical, "touches a system directory: "+p)
		}
	}
}

// within reports whether path is dir or lies under it, lexically.
func within(dir, path string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(path))
	if err != nil {
		return false
	}
	return rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// program returns the lower-case base name of argv[0] without ".exe".
func program(s string) string {
	s = strings.ToLower(filepath.Base(filepath.FromSlash(s)))
	if i := strings.LastIndex(s, "\\"); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSuffix(s, ".exe")
}

// assessCommand looks for the few commands that are critical on sight.
func assessCommand(a *assessment, argv []string) {
	// Skip wrappers such as env FOO=1 nohup nice -n 5 ...
	for len(argv) > 0 && wrappers[program(argv[0])] {
		argv = argv[1:]
		for len(argv) > 0 && (strings.HasPrefix(argv[0], "-") || strings.Contains(argv[0], "=")) {
			argv = argv[1:]
		}
	}
	if len(argv) == 0 {
		return
	}
	prog, args := program(argv[0]), argv[1:]
	switch {
	case asOtherUser[prog]:
		a.add(RiskCritical, "runs a command as another user ("+prog+")")
	case destructive[prog] || strings.HasPrefix(prog, "mkfs"):
		a.add(RiskCritical, "can overwrite disks or files beyond recovery ("+prog+")")
	case prog == "rm" && hasRecursive(args, true):
		a.add(RiskCritical, "deletes recursively (rm "+strings.Join(args, " ")+")")
	case (prog == "chmod" || prog == "chown" || prog == "chgrp") && hasRecursive(args, false):
		a.add(RiskCritical, "changes ownership or permissions recursively ("+prog+" -R)")
	case shells[prog]:
		script, ok := shellScript(args)
		if !ok {
			a.add(RiskHigh, "runs a shell ("+prog+")")
			return
		}
		a.add(RiskHigh, "runs a shell script")
		switch {
		case pipeToShell.MatchString(script):
			a.add(RiskCritical, "pipes a download into a shell")
		case scriptSudo.MatchString(" " + script):
			a.add(RiskCritical, "runs a command as another user inside a shell script")
		case scriptRmR.MatchString(" " + script):
			a.add(RiskCritical, "deletes recursively inside a shell script")
		case scriptMkfs.MatchString(" " + script):
			a.add(RiskCritical, "can overwrite disks inside a shell script")
		}
	}
}

// hasRecursive reports whether args carry -r/-R (in any flag cluster when
// lower is true, -R only otherwise) or --recursive, before any "--".
func hasRecursive(args []string, lower bool) bool {
	for _, s := range args {
		switch {
		case s == "--":
			return false
		case s == "--recursive":
			return true
		case strings.HasPrefix(s, "--"):
		case strings.HasPrefix(s, "-"):
			if strings.ContainsRune(s, 'R') || (lower && strings.ContainsRune(s, 'r')) {
				return true
			}
		}
	}
	return false
}

// shellScript returns the script a shell is given with -c, /c or -Command.
func shellScript(args []string) (string, bool) {
	for i, s := range args {
		ls := strings.ToLower(s)
		isC := ls == "/c" || ls == "-command" || ls == "-c" ||
			(strings.HasPrefix(s, "-") && !strings.HasPrefix(s, "--") && strings.ContainsRune(s, 'c'))
		if isC && i+1 < len(args) {
			return strings.Join(args[i+1:], " "), true
		}
	}
	return "", false
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// listShort joins up to three items and says how many more there are.
func listShort(items []string) string {
	if len(items) <= 3 {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:3], ", ") + fmt.Sprintf(" and %d more", len(items)-3)
}
