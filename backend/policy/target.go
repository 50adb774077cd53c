package policy

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/cedar-policy/cedar-go/types"

	"countersign/backend/proposal"
)

// Entity types of the Cedar model (see the package doc).
const (
	typAgent  types.EntityType = "Agent"
	typAction types.EntityType = "Action"
	typPath   types.EntityType = "Path"
	typFolder types.EntityType = "Folder"
	typCmd    types.EntityType = "Command"
	typPrefix types.EntityType = "Prefix"
	typHost   types.EntityType = "Host"
	typTool   types.EntityType = "Tool"
)

// maxPrefixWords bounds the argv words a command prefix may name, and so the
// Prefix parents of a command.
const maxPrefixWords = 16

func uid(t types.EntityType, id string) types.EntityUID {
	return types.NewEntityUID(t, types.String(id))
}

// pathID is the entity id of an absolute, cleaned path: slash-separated, and
// lower case when the file system folds case.
func pathID(p string, fold bool) string {
	p = filepath.ToSlash(p)
	if fold {
		p = strings.ToLower(p)
	}
	return p
}

// argvID is the entity id of argv words: their JSON array (exactly as
// encoding/json writes it), so that no two different word lists share an id.
func argvID(words []string) string {
	var b strings.Builder
	n := 2
	for _, w := range words {
		n += len(w) + 3
	}
	b.Grow(n)
	b.WriteByte('[')
	for i, w := range words {
		if i > 0 {
			b.WriteByte(',')
		}
		appendJSONString(&b, w)
	}
	b.WriteByte(']')
	return b.String()
}

// argvPrefixIDs returns the argvIDs of the first 1 to n words of argv, as
// substrings of a single allocation.
func argvPrefixIDs(argv []string, n int) []string {
	var b strings.Builder
	size := 0
	for k := 1; k <= n; k++ {
		size += 2 + k // brackets and commas
		for _, w := range argv[:k] {
			size += len(w) + 2
		}
	}
	b.Grow(size)
	ends := make([]int, n)
	for k := 1; k <= n; k++ {
		b.WriteByte('[')
		for i, w := range argv[:k] {
			if i > 0 {
				b.WriteByte(',')
			}
			appendJSONString(&b, w)
		}
		b.WriteByte(']')
		ends[k-1] = b.Len()
	}
	all := b.String()
	ids := make([]string, n)
	start := 0
	for k, end := range ends {
		ids[k] = all[start:end]
		start = end
	}
	return ids
}

// appendJSONString writes w as encoding/json writes a string: plain printable
// ASCII as it is, anything else through encoding/json itself.
func appendJSONString(b *strings.Builder, w string) {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(w)
			b.Write(q)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(w)
	b.WriteByte('"')
}

// anchor is what a rule's resource is indexed by, and what a target looks
// up: a kind of resource and its id. The zero anchor stands for any resource.
type anchor struct {
	t  byte
	id string
}

func anchorPath(id string) anchor   { return anchor{'P', id} }
func anchorFolder(id string) anchor { return anchor{'F', id} }
func anchorCmd(word string) anchor  { return anchor{'C', word} }
func anchorHost(h string) anchor    { return anchor{'H', h} }
func anchorTool(t string) anchor    { return anchor{'T', t} }

// ruleAnchor is the index anchor of r's resource; the zero anchor for any.
func ruleAnchor(r *Rule, fold bool) anchor {
	switch {
	case r.Path != "":
		return anchorPath(pathID(r.Path, fold))
	case r.Folder != "":
		return anchorFolder(pathID(r.Folder, fold))
	case len(r.Command) > 0:
		return anchorCmd(r.Command[0])
	case r.Host != "":
		return anchorHost(strings.ToLower(r.Host))
	case r.Tool != "":
		return anchorTool(r.Tool)
	}
	return anchor{}
}

// target is one resource an action reaches.
type target struct {
	action  int
	kind    proposal.Kind
	label   string // what the person reads: a path, a command, a host, a tool
	entity  types.Entity
	anchors []anchor // index anchors that can match it, besides any
	// unresolved is set when the target cannot be placed (a relative path
	// with no workspace, an empty command): it is never allowed.
	unresolved string
}

// resolvePath makes p absolute and clean: "~" is the home directory, a
// relative path lies in the workspace. ok is false when neither applies.
func resolvePath(workspace, home, p string) (string, bool) {
	switch {
	case p == "":
		return "", false
	case p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`):
		if home == "" {
			return "", false
		}
		p = filepath.Join(home, p[1:])
	case !filepath.IsAbs(p):
		if workspace == "" || !filepath.IsAbs(workspace) {
			return "", false
		}
		p = filepath.Join(workspace, p)
	}
	return filepath.Clean(p), true
}

// appendFolders appends the Folder parents of an absolute, cleaned path (the
// path itself and every ancestor) to uids, and their index anchors to
// anchors.
func appendFolders(uids []types.EntityUID, anchors []anchor, abs string, fold bool) ([]types.EntityUID, []anchor) {
	for p := abs; ; {
		id := pathID(p, fold)
		uids = append(uids, uid(typFolder, id))
		anchors = append(anchors, anchorFolder(id))
		d := parentDir(p)
		if d == p {
			break
		}
		p = d
	}
	return uids, anchors
}

// parentDir is filepath.Dir of a cleaned path, without cleaning it again
// when it has no volume name: the path up to its last separator.
func parentDir(p string) string {
	if i := strings.LastIndexByte(p, filepath.Separator); i > 0 && filepath.VolumeName(p) == "" {
		return p[:i]
	}
	return filepath.Dir(p)
}

// appendPathTargets places a path argument of an action.
func (e *Engine) appendPathTargets(s *scratch, out []target, i int, kind proposal.Kind, workspace, raw string) []target {
	abs, ok := resolvePath(workspace, e.opts.Home, raw)
	if !ok {
		return append(out, target{action: i, kind: kind, label: raw,
			unresolved: "cannot tell where “" + raw + "” is: it is relative and the proposal names no workspace"})
	}
	out = append(out, e.absTarget(s, i, kind, abs, abs))
	if e.opts.FollowSymlinks {
		if real := realPath(abs); real != abs {
			out = append(out, e.absTarget(s, i, kind, real, abs+" (which leads to "+real+")"))
		}
	}
	return out
}

func (e *Engine) absTarget(s *scratch, i int, kind proposal.Kind, abs, label string) target {
	id := pathID(abs, e.opts.FoldCase)
	from := len(s.anchors)
	s.uids, s.anchors = appendFolders(s.uids[:0], s.anchors, abs, e.opts.FoldCase)
	s.anchors = append(s.anchors, anchorPath(id))
	return target{action: i, kind: kind, label: label,
		entity:  types.Entity{UID: uid(typPath, id), Parents: types.NewEntityUIDSet(s.uids...)},
		anchors: s.anchors[from:len(s.anchors):len(s.anchors)]}
}

// realPath follows the symbolic links of the deepest existing ancestor of p.
// It first climbs with one Stat per level to the deepest ancestor that
// resolves, then resolves only that one (climbing further if it does not):
// EvalSymlinks on every level would cost a system call per component of
// each.
func realPath(p string) string {
	rest := ""
	cur := p
	for {
		if _, err := os.Stat(cur); err == nil {
			break
		}
		d := filepath.Dir(cur)
		if d == cur {
			break
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = d
	}
	for {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		d := filepath.Dir(cur)
		if d == cur {
			return p
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = d
	}
}

// commandTarget places a command: its argv prefixes and its working folder.
func (e *Engine) commandTarget(s *scratch, i int, workspace string, a *proposal.Action) target {
	label := strings.Join(a.Argv, " ")
	if len(a.Argv) == 0 || a.Argv[0] == "" {
		return target{action: i, kind: a.Kind, label: "(empty command)", unresolved: "the command is empty"}
	}
	dir := a.Dir
	if dir == "" {
		dir = workspace
	}
	abs, ok := resolvePath(workspace, e.opts.Home, dir)
	if !ok {
		return target{action: i, kind: a.Kind, label: label,
			unresolved: "cannot tell which folder “" + label + "” runs in"}
	}
	from := len(s.anchors)
	s.uids, s.anchors = appendFolders(s.uids[:0], s.anchors, abs, e.opts.FoldCase)
	n := min(len(a.Argv), maxPrefixWords)
	prefixes := argvPrefixIDs(a.Argv, n)
	for _, id := range prefixes {
		s.uids = append(s.uids, uid(typPrefix, id))
	}
	id := prefixes[n-1]
	if n < len(a.Argv) {
		id = argvID(a.Argv)
	}
	s.anchors = append(s.anchors, anchorCmd(a.Argv[0]))
	return target{action: i, kind: a.Kind, label: label + " (in " + abs + ")",
		entity:  types.Entity{UID: uid(typCmd, id), Parents: types.NewEntityUIDSet(s.uids...)},
		anchors: s.anchors[from:len(s.anchors):len(s.anchors)]}
}

// hostOf returns the lower-case host name of a URL, without port or final dot.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// targets lists every resource a's action reaches. An action of unknown
// kind yields every target its fields name, so that denies still apply.
func (e *Engine) targets(i int, workspace string, a *proposal.Action) []target {
	return e.appendTargets(&scratch{}, nil, i, workspace, a)
}

// appendTargets appends to out the targets of a, building them in s.
func (e *Engine) appendTargets(s *scratch, out []target, i int, workspace string, a *proposal.Action) []target {
	start := len(out)
	known := a.Kind.Known()
	has := func(k proposal.Kind) bool { return a.Kind == k || !known }
	switch a.Kind {
	case proposal.KindFileWrite, proposal.KindFileEdit, proposal.KindFileDelete, proposal.KindFileMove,
		proposal.KindDirCreate, proposal.KindSheetUpdate:
		out = e.appendPathTargets(s, out, i, a.Kind, workspace, a.Path)
	default:
		if !known && a.Path != "" {
			out = e.appendPathTargets(s, out, i, a.Kind, workspace, a.Path)
		}
	}
	if has(proposal.KindFileMove) && (a.To != "" || known) {
		out = e.appendPathTargets(s, out, i, a.Kind, workspace, a.To)
	}
	if has(proposal.KindCommandRun) {
		if known || len(a.Argv) > 0 || a.Dir != "" {
			out = append(out, e.commandTarget(s, i, workspace, a))
		}
		for _, w := range a.Writes {
			out = e.appendPathTargets(s, out, i, a.Kind, workspace, w)
		}
	}
	if has(proposal.KindNetRequest) && (known || a.URL != "") {
		if h := hostOf(a.URL); h != "" {
			out = append(out, target{action: i, kind: a.Kind, label: h,
				entity: types.Entity{UID: uid(typHost, h)}, anchors: []anchor{anchorHost(h)}})
		} else {
			out = append(out, target{action: i, kind: a.Kind, label: a.URL, unresolved: "the request names no host"})
		}
	}
	if has(proposal.KindToolCall) && (known || a.Tool != "") {
		if a.Tool != "" {
			out = append(out, target{action: i, kind: a.Kind, label: a.Tool,
				entity: types.Entity{UID: uid(typTool, a.Tool)}, anchors: []anchor{anchorTool(a.Tool)}})
		} else {
			out = append(out, target{action: i, kind: a.Kind, label: "(no tool)", unresolved: "the tool call names no tool"})
		}
	}
	if len(out) == start {
		out = append(out, target{action: i, kind: a.Kind, label: string(a.Kind), unresolved: "the action names no target"})
	}
	return out
}

// actionBytes is the content an action carries.
func actionBytes(a *proposal.Action) int64 {
	n := len(a.Content) + len(a.Body) + len(a.Input)
	for _, ed := range a.Edits {
		n += len(ed.New)
	}
	for _, c := range a.Cells {
		n += len(c.Value) + len(c.Formula)
	}
	return int64(n)
}
