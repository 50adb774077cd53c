package diff

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The diffs are meant for real tools: these tests hand them to git apply and
// GNU patch and compare the files they write with the expected after-state.
// All cases go into one patch per tool so the test runs a handful of
// processes, not hundreds.

func lookTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed", name)
	}
	return p
}

// toolEnv keeps user and system configuration out of git's way.
func toolEnv(t *testing.T) []string {
	home := t.TempDir()
	return append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C")
}

func externalCases(t *testing.T) []testCase {
	return append(generatedCases(t, 30, 6), edgeCases()...)
}

// writeTree writes the old (or new) side of every case under dir.
func writeTree(t *testing.T, dir string, cases []testCase, newSide bool) {
	t.Helper()
	for _, c := range cases {
		exists, content := c.oldExists, c.old
		if newSide {
			exists, content = c.newExists, c.new
		}
		if !exists {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(c.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkTree compares dir with the new side of every case, and finds no
// other files (no .orig, .rej or leftovers of deleted files).
func checkTree(t *testing.T, tool, dir string, cases []testCase) {
	t.Helper()
	want := map[string]testCase{}
	for _, c := range cases {
		if c.newExists {
			want[filepath.FromSlash(c.path)] = c
		}
	}
	seen := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		c, ok := want[rel]
		if !ok {
			t.Errorf("%s: unexpected file %s", tool, rel)
			return nil
		}
		seen++
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, c.new) {
			t.Errorf("%s: %s differs from the expected after-state", tool, c.name)
		}
		return nil
	})
	if seen != len(want) {
		t.Errorf("%s: %d files after patching, want %d", tool, seen, len(want))
	}
}

func combinedPatch(t *testing.T, cases []testCase) string {
	var sb strings.Builder
	for _, c := range cases {
		r := compute(t, c, DefaultOptions())
		if r.Binary || r.Truncated {
			t.Fatalf("%s: unexpected binary or truncated result", c.name)
		}
		sb.WriteString(r.Unified)
	}
	return sb.String()
}

func TestGitApply(t *testing.T) {
	git := lookTool(t, "git")
	cases := externalCases(t)
	dir := t.TempDir()
	patch := filepath.Join(t.TempDir(), "all.patch")
	if err := os.WriteFile(patch, []byte(combinedPatch(t, cases)), 0o644); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, cases, false)
	run := func(args ...string) {
		cmd := exec.Command(git, args...)
		cmd.Dir, cmd.Env = dir, toolEnv(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q")
	// --whitespace=nowarn: CR at line ends is content here, not a warning.
	run("apply", "--whitespace=nowarn", patch)
	checkTree(t, "git apply", dir, cases)
}

func TestGNUPatch(t *testing.T) {
	patchCmd := lookTool(t, "patch")
	if out, err := exec.Command(patchCmd, "--version").Output(); err != nil || !bytes.Contains(out, []byte("GNU patch")) {
		t.Skip("patch is not GNU patch")
	}
	cases := externalCases(t)
	dir := t.TempDir()
	patch := filepath.Join(t.TempDir(), "all.patch")
	if err := os.WriteFile(patch, []byte(combinedPatch(t, cases)), 0o644); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, cases, false)
	// -F0: no fuzz, context must match exactly.
	cmd := exec.Command(patchCmd, "-p1", "-F0", "--batch", "--no-backup-if-mismatch", "-s", "-i", patch)
	cmd.Dir, cmd.Env = dir, toolEnv(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s", err, out)
	}
	checkTree(t, "patch -p1", dir, cases)
}

// TestChangedLinesMatchGit compares Added+Deleted with git's numstat on
// ordinary edits of source files. Diffs are not unique, so some difference
// is allowed, but not more than 5% more changed lines in aggregate, and the
// counts must be equal in nine cases of ten. The hunks themselves must be
// git's, byte for byte, in 95% of cases.
func TestChangedLinesMatchGit(t *testing.T) {
	git := lookTool(t, "git")
	var cases []testCase
	for _, c := range generatedCases(t, 60, 24) {
		if c.ordinary {
			cases = append(cases, c)
		}
	}
	oldDir, newDir := t.TempDir(), t.TempDir()
	writeTree(t, oldDir, cases, false)
	writeTree(t, newDir, cases, true)
	cmd := exec.Command(git, "diff", "--no-index", "--numstat", "--no-renames", oldDir, newDir)
	cmd.Env = toolEnv(t)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("git diff: %v", err)
	}
	gitCounts := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "\t", 3)
		if len(f) != 3 {
			continue
		}
		a, _ := strconv.Atoi(f[0])
		d, _ := strconv.Atoi(f[1])
		name := f[2]
		if i := strings.Index(name, " => "); i >= 0 {
			name = name[i+4:]
		}
		gitCounts[filepath.Base(strings.TrimSuffix(name, "}"))] += a + d
	}
	ours, theirs, equal := 0, 0, 0
	var worse []string
	for _, c := range cases {
		r := compute(t, c, DefaultOptions())
		g, ok := gitCounts[filepath.Base(c.path)]
		if !ok && r.Added+r.Deleted > 0 {
			t.Fatalf("%s: no numstat line from git", c.name)
		}
		n := r.Added + r.Deleted
		ours += n
		theirs += g
		if n == g {
			equal++
		} else if n > g {
			worse = append(worse, fmt.Sprintf("%s %d>%d", c.name, n, g))
		}
	}
	t.Logf("changed lines: ours %d, git %d (%+.2f%%); equal in %d of %d cases; more in %v",
		ours, theirs, 100*float64(ours-theirs)/float64(max(theirs, 1)), equal, len(cases), worse)
	if float64(ours) > 1.05*float64(theirs) {
		t.Errorf("%d changed lines against git's %d: more than 5%% more", ours, theirs)
	}
	if equal*10 < len(cases)*9 {
		t.Errorf("counts equal git's in only %d of %d cases", equal, len(cases))
	}

	// Beyond the counts, the hunks themselves: where changes are drawn, how
	// they merge and slide. Git adds the enclosing function after "@@",
	// which this package does not.
	cmd = exec.Command(git, "diff", "--no-index", "--no-color", "--no-renames", oldDir, newDir)
	cmd.Env = toolEnv(t)
	out, err = cmd.Output()
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("git diff: %v", err)
	}
	funcname := regexp.MustCompile(`(?m)^(@@ [^@]* @@).*$`)
	gitBody := map[string]string{}
	for _, section := range strings.Split(string(out), "\ndiff --git ")[0:] {
		plus := strings.Index(section, "\n+++ ")
		at := strings.Index(section, "\n@@ ")
		if plus < 0 || at < 0 {
			continue
		}
		name := section[plus+5 : plus+5+strings.IndexByte(section[plus+5:], '\n')]
		gitBody[filepath.Base(name)] = funcname.ReplaceAllString(section[at+1:], "$1")
	}
	same := 0
	var differ []string
	for _, c := range cases {
		r := compute(t, c, DefaultOptions())
		body := ""
		if at := strings.Index(r.Unified, "\n@@ "); at >= 0 {
			body = r.Unified[at+1:]
		}
		if g := strings.TrimSuffix(gitBody[filepath.Base(c.path)], "\n"); strings.TrimSuffix(body, "\n") == g {
			same++
		} else {
			differ = append(differ, c.name)
		}
	}
	t.Logf("hunks identical to git's in %d of %d cases; differ in %v", same, len(cases), differ)
	if same*100 < len(cases)*95 {
		t.Errorf("hunks identical to git's in only %d of %d cases", same, len(cases))
	}
}
