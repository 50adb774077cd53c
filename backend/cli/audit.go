package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"countersign/backend/audit"
	"countersign/backend/config"
	"countersign/backend/keystore"
	"countersign/backend/redact"
	"countersign/backend/store"
)

func auditCommand(d Deps, dataDir, ks *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Verify, export and configure the tamper-evident audit log",
		Long: "Every event (a proposal, a decision, an expiry, a key rotation, a settings change...)\n" +
			"leaves one record in an append-only log. The records are the leaves of an RFC 6962\n" +
			"Merkle tree whose size and root hash are signed as checkpoints (signed notes, with\n" +
			"the key in the OS keyring). Records hold hashes and redacted text, never content.",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(auditVerifyCommand(d, dataDir, ks), auditExportCommand(d, dataDir, ks),
		auditKeyCommand(d, dataDir, ks), auditSettingsCommand(d, dataDir))
	return cmd
}

// openExistingStore opens the database of an existing data directory, for
// the commands that only read it.
func openExistingStore(dir string) (*store.Store, error) {
	path := config.DatabasePath(dir)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("there is no database at %s (is --data-dir right?)", path)
	}
	return store.Open(path)
}

// verifierKeys returns the keys checkpoints are checked with: the given
// verifier keys (or files of them), else the keystore's public keys, else
// the exported key files of the data directory.
func verifierKeys(d Deps, dataDir, ks string, given []string) (audit.Keys, string, error) {
	if len(given) > 0 {
		var list []string
		for _, g := range given {
			if b, err := os.ReadFile(g); err == nil {
				list = append(list, strings.Fields(string(b))...)
			} else {
				list = append(list, g)
			}
		}
		k, err := audit.ParseKeys(list)
		if err != nil {
			return audit.Keys{}, "", &ExitCode{Code: ExitUsage, Err: err}
		}
		return k, "the keys given with --pubkey", nil
	}
	b, opts, dir, err := openKeys(d, dataDir, ks)
	if err != nil {
		return audit.Keys{}, "", err
	}
	k, kerr := keystore.Open(b, opts)
	if kerr == nil {
		set, err := k.Keys()
		if err != nil {
			return audit.Keys{}, "", err
		}
		keys, err := audit.KeysFromSet(set)
		return keys, "the keystore (" + b.String() + ")", err
	}
	return exportedKeys(dir, kerr)
}

// exportedKeys reads the verifier keys exported to the data directory, when
// the keystore (which failed with kerr) cannot give them.
func exportedKeys(dir string, kerr error) (audit.Keys, string, error) {
	if data, err := os.ReadFile(filepath.Join(dir, audit.KeyFile)); err == nil {
		keys, err := audit.ParseKeys(strings.Fields(string(data)))
		return keys, "the exported key file " + audit.KeyFile, err
	}
	set, err := keystore.ReadJWKS(filepath.Join(dir, keystore.JWKSFile))
	if err != nil {
		return audit.Keys{}, "", fmt.Errorf("cannot open the keystore (%v) nor read the exported keys: %w", kerr, err)
	}
	keys, err := audit.KeysFromSet(set)
	return keys, "the exported key set " + keystore.JWKSFile, err
}

func auditVerifyCommand(d Deps, dataDir, ks *string) *cobra.Command {
	var file string
	var pubkeys []string
	cmd := &cobra.Command{
		Use:   "verify [--file F] [--pubkey K]...",
		Short: "Recompute the audit log's tree and check every record and checkpoint",
		Long: "Without --file, reads the database: checks each record's place and the hash it holds\n" +
			"of the one before, recomputes the Merkle tree and checks every signed checkpoint\n" +
			"against it, and that every event has its record. With --file (- for stdin), checks\n" +
			"an exported or SIEM file on its own, with its proofs.\n" +
			"Exit status: 0 verified, 1 a problem was found (each one printed, naming the record\n" +
			"or checkpoint), 2 usage error.\n" +
			"--pubkey takes a verifier key as `countersign audit key` prints it, or a file of\n" +
			"them; without it the keys come from the keystore or the data directory.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			keys, source, err := verifierKeys(d, *dataDir, *ks, pubkeys)
			if err != nil {
				return err
			}
			var r *audit.Report
			what := "the audit log"
			if file != "" {
				in := io.Reader(os.Stdin)
				if d.Stdin != nil {
					in = d.Stdin
				}
				if file != "-" {
					f, err := os.Open(file)
					if err != nil {
						return err
					}
					defer f.Close()
					in, what = f, file
				}
				r, err = audit.VerifyFile(in, keys)
			} else {
				dir, derr := config.ResolveDataDir(*dataDir, d.Env)
				if derr != nil {
					return derr
				}
				st, err := openExistingStore(dir)
				if err != nil {
					return err
				}
				defer st.Close()
				r, err = audit.Verify(context.Background(), st, keys)
			}
			if err != nil {
				return err
			}
			out := c.OutOrStdout()
			for _, p := range r.Problems {
				fmt.Fprintf(out, "problem: %s\n", p.Message)
			}
			fmt.Fprintf(out, "%s: %s (keys from %s, %s)\n", what, r.Summary(), source, r.Elapsed.Round(time.Millisecond))
			if !r.OK() {
				return &ExitCode{Code: ExitFail, Err: fmt.Errorf("%s failed verification: %d problems", what, len(r.Problems))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "verify an exported or SIEM `file` (- for stdin) instead of the database")
	cmd.Flags().StringArrayVar(&pubkeys, "pubkey", nil, "a verifier `key` (name+hash+key) or a file of them; repeatable")
	return cmd
}

// parseTime reads a --since or --until value: RFC 3339, or a date (UTC).
func parseTime(flag, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, &ExitCode{Code: ExitUsage, Err: fmt.Errorf("--%s %q is neither RFC 3339 (2026-03-14T09:00:00Z) nor a date (2026-03-14)", flag, v)}
}

func auditExportCommand(d Deps, dataDir, ks *string) *cobra.Command {
	var format, since, until, out string
	cmd := &cobra.Command{
		Use:   "export --format jsonl|csv [--since T] [--until T] [--out F]",
		Short: "Export audit records as JSON lines (verifiable on their own) or CSV",
		Long: "Writes the records from the first at or after --since to the last before --until\n" +
			"(RFC 3339 times or dates, UTC). JSONL starts with a header line holding a signed\n" +
			"checkpoint and the proof that the records are in it, so `countersign audit verify\n" +
			"--file` (or any RFC 6962 and signed-note library) can check it without the database.\n" +
			"When no checkpoint covers the last record, one is signed with the key in the keystore;\n" +
			"without the key, the export ends at the last checkpoint. CSV has no proof.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if format != audit.FormatJSONL && format != audit.FormatCSV {
				return &ExitCode{Code: ExitUsage, Err: fmt.Errorf("--format must be jsonl or csv, not %q", format)}
			}
			from, err := parseTime("since", since)
			if err != nil {
				return err
			}
			to, err := parseTime("until", until)
			if err != nil {
				return err
			}
			b, opts, dir, err := openKeys(d, *dataDir, *ks)
			if err != nil {
				return err
			}
			st, err := openExistingStore(dir)
			if err != nil {
				return err
			}
			defer st.Close()
			eo := audit.ExportOptions{Format: format, Since: from, Until: to}
			if k, kerr := keystore.Open(b, opts); kerr == nil {
				set, err := k.Keys()
				if err != nil {
					return err
				}
				if eo.Keys, err = audit.KeysFromSet(set); err != nil {
					return err
				}
				if s, err := k.Signer(); err == nil {
					eo.Signer = s
				}
			} else if eo.Keys, _, err = exportedKeys(dir, kerr); err != nil {
				return err
			}
			w := c.OutOrStdout()
			var f *os.File
			if out != "" && out != "-" {
				if f, err = os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); err != nil {
					return err
				}
				w = f
			}
			res, err := audit.Export(context.Background(), st, w, eo)
			if f != nil {
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				return err
			}
			msg := fmt.Sprintf("exported %d records", res.Records)
			if res.Records > 0 {
				msg += fmt.Sprintf(" (%d..%d)", res.First, res.Last)
			}
			if format == audit.FormatJSONL {
				msg += fmt.Sprintf(", proved against the checkpoint of size %d", res.Checkpoint)
				if res.Signed {
					msg += " (signed now)"
				}
			}
			fmt.Fprintln(d.Stderr, msg)
			if res.Note != "" {
				fmt.Fprintln(d.Stderr, "note:", res.Note)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "jsonl", "jsonl or csv")
	cmd.Flags().StringVar(&since, "since", "", "first `time` (RFC 3339 or YYYY-MM-DD)")
	cmd.Flags().StringVar(&until, "until", "", "end `time`, exclusive (RFC 3339 or YYYY-MM-DD)")
	cmd.Flags().StringVar(&out, "out", "", "write to `file` (mode 0600) instead of stdout")
	return cmd
}

func auditKeyCommand(d Deps, dataDir, ks *string) *cobra.Command {
	return &cobra.Command{
		Use:   "key",
		Short: "Print the verifier keys of the audit checkpoints, current first",
		Long: "Prints one signed-note verifier key per line (name+hash+key), current first, then\n" +
			"retired ones, and writes them to " + audit.KeyFile + " in the data directory. Give one to\n" +
			"`countersign audit verify --pubkey`, or to golang.org/x/mod/sumdb/note.NewVerifier.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			k, dir, err := openKeystore(d, *dataDir, *ks)
			if err != nil {
				return err
			}
			keys, err := writeAuditKeys(k, dir)
			if err != nil {
				return err
			}
			for _, v := range keys.List {
				fmt.Fprintln(c.OutOrStdout(), v)
			}
			return nil
		},
	}
}

// writeAuditKeys writes the keystore's verifier keys to the data directory.
func writeAuditKeys(k *keystore.Keystore, dir string) (audit.Keys, error) {
	set, err := k.Keys()
	if err != nil {
		return audit.Keys{}, err
	}
	keys, err := audit.KeysFromSet(set)
	if err != nil {
		return audit.Keys{}, err
	}
	return keys, audit.WriteKeyFile(dir, keys)
}

func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

func auditSettingsCommand(d Deps, dataDir *string) *cobra.Command {
	var siem string
	var noSIEM bool
	var days int
	var every time.Duration
	cmd := &cobra.Command{
		Use:   "settings [--siem-file F | --no-siem-file] [--retention-days N] [--checkpoint-every D]",
		Short: "Show or change the audit settings (SIEM file, content retention, checkpoint interval)",
		Long: "Without flags, prints the settings. --siem-file F appends every new record, and the\n" +
			"checkpoints that cover them, to F as JSON lines for a SIEM agent to ship.\n" +
			"--retention-days N removes, N days after they were made, the content of proposals that\n" +
			"never ran (0 keeps it all); records, events and the tree are never removed.\n" +
			"--checkpoint-every D is how often the running app signs a checkpoint (10s to 24h).\n" +
			"Each change is recorded in the audit log. The running app picks it up within a second.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			dir, err := config.ResolveDataDir(*dataDir, d.Env)
			if err != nil {
				return err
			}
			if err := config.EnsureDataDir(dir); err != nil {
				return err
			}
			st, err := store.Open(config.DatabasePath(dir))
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := context.Background()
			m, err := st.Settings(ctx)
			if err != nil {
				return err
			}
			old, err := config.ParseSettings(m)
			if err != nil {
				return err
			}
			s := old
			fl := c.Flags()
			if fl.Changed("siem-file") && noSIEM {
				return &ExitCode{Code: ExitUsage, Err: errors.New("give --siem-file or --no-siem-file, not both")}
			}
			if fl.Changed("siem-file") {
				if s.SIEMFile, err = filepath.Abs(siem); err != nil {
					return err
				}
			}
			if noSIEM {
				s.SIEMFile = ""
			}
			if fl.Changed("retention-days") {
				s.RetentionDays = days
			}
			if fl.Changed("checkpoint-every") {
				s.CheckpointEvery = every
			}
			if s != old {
				if err := s.Validate(dir); err != nil {
					return &ExitCode{Code: ExitUsage, Err: err}
				}
				data, err := json.Marshal(settingsChange(old, s))
				if err != nil {
					return err
				}
				st.SetRedactor(redact.New())
				if err := st.SaveSettings(ctx, s.Values(), store.Event{At: time.Now().UTC(), Type: store.EventSettingsChanged,
					Data: data, UserID: osUser()}); err != nil {
					return err
				}
			}
			printSettings(c.OutOrStdout(), s)
			return nil
		},
	}
	cmd.Flags().StringVar(&siem, "siem-file", "", "append every new audit record to `file`")
	cmd.Flags().BoolVar(&noSIEM, "no-siem-file", false, "stop appending to the SIEM file")
	cmd.Flags().IntVar(&days, "retention-days", 0, "remove the content of proposals that never ran after `N` days (0 keeps it)")
	cmd.Flags().DurationVar(&every, "checkpoint-every", 0, "sign a checkpoint this often while the app runs (10s to 24h)")
	return cmd
}

// settingsChange is the data of a settings.changed event: each changed
// setting's old and new value.
func settingsChange(old, s config.Settings) map[string][2]string {
	ch := map[string][2]string{}
	ov, nv := old.Values(), s.Values()
	for k, v := range nv {
		if ov[k] != v {
			ch[k] = [2]string{ov[k], v}
		}
	}
	return ch
}

func printSettings(w io.Writer, s config.Settings) {
	siem := s.SIEMFile
	if siem == "" {
		siem = "(off)"
	}
	ret := "keep all content"
	if s.RetentionDays > 0 {
		ret = fmt.Sprintf("%d days for proposals that never ran", s.RetentionDays)
	}
	fmt.Fprintf(w, "siem file:        %s\n", siem)
	fmt.Fprintf(w, "retention:        %s\n", ret)
	fmt.Fprintf(w, "checkpoint every: %s\n", s.CheckpointEvery)
}
