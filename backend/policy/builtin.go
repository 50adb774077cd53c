package policy

import (
	"path/filepath"
	"strconv"
	"strings"
)

// Credential stores and browser profiles, relative to the home directory.
var homeCredentials = []string{
	".ssh", ".aws", ".gnupg", ".config/gcloud", ".kube", ".docker/config.json", ".netrc",
	".git-credentials", ".password-store", ".local/share/keyrings",
	"Library/Keychains",
	".mozilla", ".config/google-chrome", ".config/chromium", ".config/microsoft-edge",
	".config/BraveSoftware", "snap/firefox",
	"Library/Application Support/Google/Chrome", "Library/Application Support/Firefox",
	"Library/Application Support/Chromium", "Library/Application Support/Microsoft Edge",
	"Library/Safari", "Library/Cookies",
	"AppData/Roaming/Mozilla/Firefox", "AppData/Local/Google/Chrome/User Data",
	"AppData/Local/Microsoft/Edge/User Data", "AppData/Local/Chromium/User Data",
	"AppData/Roaming/Microsoft/Credentials", "AppData/Local/Microsoft/Credentials",
	"AppData/Roaming/Microsoft/Protect",
}

// System directories; those that are not absolute on this system are skipped.
var systemDirs = []string{
	"/etc", "/usr", "/bin", "/sbin", "/boot", "/lib", "/lib64", "/System", "/Library", "/private/etc",
	`C:\Windows`, `C:\Program Files`, `C:\Program Files (x86)`, `C:\ProgramData\Microsoft`,
}

// builtinRules are the denies every Engine has: no agent may do anything to
// a credential store, a system directory or Countersign's own files.
func builtinRules(opts Options) []Rule {
	var out []Rule
	add := func(id, abs, why string) {
		out = append(out, Rule{ID: builtinPrefix + id, Effect: EffectDeny, Folder: filepath.Clean(abs), why: why})
	}
	for _, rel := range homeCredentials {
		add("home:"+strings.ToLower(rel), filepath.Join(opts.Home, filepath.FromSlash(rel)),
			"it holds passwords, keys or browser data")
	}
	for _, d := range systemDirs {
		if p := filepath.FromSlash(d); filepath.IsAbs(p) {
			add("system:"+strings.ToLower(d), p, "it belongs to the operating system")
		}
	}
	add("countersign:data", opts.DataDir, "it is Countersign's own data, settings and policies")
	for i, p := range opts.Protected {
		add("countersign:protected:"+strconv.Itoa(i), p,
			"it is Countersign's own data, settings and policies")
	}
	return out
}
