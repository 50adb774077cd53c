package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"countersign/backend/config"
	"countersign/backend/intent"
	"countersign/backend/keystore"
	"countersign/backend/redact"
	"countersign/backend/store"
)

// openKeys opens the keystore the way the app does, for the key commands.
func openKeys(d Deps, dataDir, ks string) (keystore.Backend, keystore.Options, string, error) {
	dir, err := config.ResolveDataDir(dataDir, d.Env)
	if err != nil {
		return nil, keystore.Options{}, "", err
	}
	if err := config.EnsureDataDir(dir); err != nil {
		return nil, keystore.Options{}, "", err
	}
	kind, err := keystore.ParseKind(ks)
	if err != nil {
		return nil, keystore.Options{}, "", &ExitCode{Code: ExitUsage, Err: err}
	}
	b, err := keystore.NewBackend(kind, dir)
	if err != nil {
		return nil, keystore.Options{}, "", err
	}
	return b, keystore.Options{DataDir: dir}, dir, nil
}

// openKeystore opens the keystore (creating the key on first use) and
// returns it with the data directory.
func openKeystore(d Deps, dataDir, ks string) (*keystore.Keystore, string, error) {
	b, opts, dir, err := openKeys(d, dataDir, ks)
	if err != nil {
		return nil, "", err
	}
	k, err := keystore.Open(b, opts)
	return k, dir, err
}

func keyCommand(d Deps, dataDir, ks *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Show or rotate the key that signs every decision",
		Long: "Countersign signs every decision with an Ed25519 key kept in the OS keyring.\n" +
			"Its public keys (current and retired) are exported as a JWKS file in the data\n" +
			"directory, so anyone can verify a token with a standard JOSE library.",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print the current key id, public key and the retired keys (creates the key on first use)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			k, _, err := openKeystore(d, *dataDir, *ks)
			if err != nil {
				return err
			}
			desc, err := k.Describe()
			if err != nil {
				return err
			}
			fmt.Fprint(c.OutOrStdout(), desc.String())
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "rotate",
		Short: "Make a new current key; old public keys stay in the JWKS for verification",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			b, opts, dir, err := openKeys(d, *dataDir, *ks)
			if err != nil {
				return err
			}
			r, err := keystore.Rotate(b, opts)
			if err != nil {
				return err
			}
			if err := recordRotation(dir, r); err != nil {
				return fmt.Errorf("the key was rotated but the rotation could not be recorded: %w", err)
			}
			if k, err := keystore.Open(b, opts); err == nil {
				if _, err := writeAuditKeys(k, dir); err != nil {
					fmt.Fprintf(d.Stderr, "warning: the audit verifier keys were not exported: %v\n", err)
				}
			}
			if r.Old == "" {
				fmt.Fprintf(c.OutOrStdout(), "created key %s\n", r.New)
			} else {
				fmt.Fprintf(c.OutOrStdout(), "rotated: %s is now current; %s is retired and still verifies older tokens\n", r.New, r.Old)
			}
			return nil
		},
	})
	return cmd
}

// recordRotation writes a key.rotated event to the history.
func recordRotation(dir string, r keystore.Rotation) error {
	st, err := store.Open(config.DatabasePath(dir))
	if err != nil {
		return err
	}
	defer st.Close()
	data, err := json.Marshal(map[string]string{"old_key_id": r.Old, "new_key_id": r.New})
	if err != nil {
		return err
	}
	st.SetRedactor(redact.New())
	return st.AppendEvents(context.Background(), []store.Event{{At: r.At, Type: store.EventKeyRotated, Data: data, UserID: osUser()}})
}

func verifyCommand(d Deps, dataDir, ks *string) *cobra.Command {
	var against string
	cmd := &cobra.Command{
		Use:   "verify TOKEN|-",
		Short: "Check an intent token: signature, key, expiry, and optionally the stored proposal",
		Long: "Check an intent token (read from the argument, or from stdin with -).\n" +
			"Exit status: 0 valid, 1 invalid (the reason on stderr), 2 usage error.\n" +
			"The keys come from the keystore, or from the exported JWKS file when the\n" +
			"keystore cannot be opened. With --against ID the token must also be the one\n" +
			"recorded for that proposal and match its actions exactly.",
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			token := args[0]
			if token == "-" {
				b, err := io.ReadAll(io.LimitReader(os.Stdin, intent.MaxTokenBytes+1))
				if err != nil {
					return err
				}
				token = string(b)
			}
			token = strings.TrimSpace(token)
			b, opts, dir, err := openKeys(d, *dataDir, *ks)
			if err != nil {
				return err
			}
			var keys intent.KeySet
			source := "the keystore (" + b.String() + ")"
			if k, kerr := keystore.Open(b, opts); kerr == nil {
				set, err := k.Keys()
				if err != nil {
					return err
				}
				keys = set
			} else {
				set, err := keystore.ReadJWKS(filepath.Join(opts.DataDir, keystore.JWKSFile))
				if err != nil {
					return fmt.Errorf("cannot open the keystore (%v) nor read the exported keys: %w", kerr, err)
				}
				keys, source = set, "the exported key set "+keystore.JWKSFile
			}
			claims, err := intent.Verify(token, keys, time.Now())
			if err != nil {
				if errors.Is(err, intent.ErrExpired) {
					if cl, ierr := intent.Inspect(token, keys); ierr == nil {
						return &ExitCode{Code: ExitFail, Err: fmt.Errorf("invalid: the signature is good but the token expired at %s (proposal %s, %s by %s)",
							cl.Expires().Format(time.RFC3339), cl.ProposalID, cl.Decision, cl.DecidedBy)}
					}
				}
				return &ExitCode{Code: ExitFail, Err: fmt.Errorf("invalid: %w", err)}
			}
			if against != "" {
				if err := verifyAgainst(dir, against, token, claims); err != nil {
					return &ExitCode{Code: ExitFail, Err: fmt.Errorf("invalid: %w", err)}
				}
			}
			out := c.OutOrStdout()
			fmt.Fprintf(out, "valid: %s of proposal %s by %s at %s (key checked against %s)\n",
				claims.Decision, claims.ProposalID, claims.DecidedBy, claims.Issued().Format(time.RFC3339), source)
			for _, a := range claims.Actions {
				fmt.Fprintf(out, "  action %d: %s %s\n", a.Index+1, a.Kind, a.Target)
			}
			if against != "" {
				fmt.Fprintf(out, "matches the stored proposal %s\n", against)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&against, "against", "", "also check that the token is the one recorded for proposal `ID` and matches it")
	return cmd
}

func verifyAgainst(dir, id, token string, c *intent.Claims) error {
	st, err := store.Open(config.DatabasePath(dir))
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := st.GetProposal(context.Background(), id)
	if err != nil {
		return err
	}
	if p.Decision == nil {
		return fmt.Errorf("proposal %s has no decision recorded", id)
	}
	if p.Decision.Token != token {
		return fmt.Errorf("this is not the token recorded for proposal %s", id)
	}
	hashes := map[int]string{}
	for _, a := range c.Actions {
		if a.TargetSHA256 != "" {
			hashes[a.Index] = a.TargetSHA256
		}
	}
	return intent.MatchProposal(c, p, c.Indexes(), hashes)
}
