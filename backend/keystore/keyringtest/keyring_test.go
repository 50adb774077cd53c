//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

// These tests run the keystore against the real Secret Service: gnome-keyring
// in a D-Bus session, as `bash build/scripts/with-session.sh go test ./...`
// provides. They live in their own package, and so their own test binary,
// because keyring.MockInit in the unit tests replaces go-keyring's provider
// for the whole process.
//
// Without a session bus and a Secret Service they skip, unless
// COUNTERSIGN_REQUIRE_KEYRING=1, when they fail.
package keyringtest_test

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	dbus "github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"

	"countersign/backend/keystore"
	"countersign/backend/keystore/keyringtest"
)

const (
	// The password with-session.sh unlocks gnome-keyring with.
	envPassword     = "COUNTERSIGN_KEYRING_PASSWORD"
	defaultPassword = "countersign-test"

	envHelper  = "COUNTERSIGN_KEYSTORE_HELPER"
	envService = "COUNTERSIGN_KEYSTORE_HELPER_SERVICE"
	envDataDir = "COUNTERSIGN_KEYSTORE_HELPER_DATA_DIR"

	secretsName  = "org.freedesktop.secrets"
	secretsPath  = dbus.ObjectPath("/org/freedesktop/secrets")
	defaultAlias = dbus.ObjectPath("/org/freedesktop/secrets/aliases/default")
)

func openKS(t *testing.T, service, dir string) *keystore.Keystore {
	t.Helper()
	ks, err := keystore.Open(keyringtest.Backend(service), keystore.Options{DataDir: dir})
	if err != nil {
		t.Fatalf("Open on the real keyring: %v", err)
	}
	return ks
}

// helperResult is what the helper process reports.
type helperResult struct {
	KeyID  string `json:"kid,omitempty"`
	Error  string `json:"error,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// TestHelperProcess is not a test: run by runHelper in a child process with
// its own environment, it opens the keystore and prints a helperResult.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(envHelper) != "1" {
		return
	}
	var res helperResult
	ks, err := keystore.Open(keyringtest.Backend(os.Getenv(envService)), keystore.Options{DataDir: os.Getenv(envDataDir)})
	if err == nil {
		var s *keystore.Signer
		if s, err = ks.Signer(); err == nil {
			res.KeyID = s.KeyID()
		}
	}
	if err != nil {
		res.Error = err.Error()
		var ue *keystore.UnavailableError
		if errors.As(err, &ue) {
			res.Reason = string(ue.Reason)
		}
	}
	json.NewEncoder(os.Stdout).Encode(res)
	os.Exit(0)
}

// runHelper opens the keystore in a new process: a restart, or a run with
// another environment. env entries replace the inherited ones; a value of
// "-" removes the variable.
func runHelper(t *testing.T, service, dir string, env map[string]string) helperResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	env[envHelper], env[envService], env[envDataDir] = "1", service, dir
	for _, kv := range os.Environ() {
		if _, replaced := env[strings.SplitN(kv, "=", 2)[0]]; !replaced {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		if v != "-" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper process: %v\n%s", err, stderr.String())
	}
	var res helperResult
	if err := json.Unmarshal(bytes.TrimSpace(bytes.Split(out, []byte("\n"))[0]), &res); err != nil {
		t.Fatalf("helper output %q: %v", out, err)
	}
	return res
}

func TestRealKeyringCreateRestartRotate(t *testing.T) {
	service := keyringtest.Service(t)
	dir := t.TempDir()
	ks := openKS(t, service, dir)
	s, err := ks.Signer()
	if err != nil {
		t.Fatal(err)
	}
	// The key is really in gnome-keyring, under the documented names.
	if _, err := keyring.Get(service, keystore.SecretName(s.KeyID())); err != nil {
		t.Fatalf("secret not in the Secret Service: %v", err)
	}
	if _, err := keyring.Get(service, keystore.RecordName); err != nil {
		t.Fatalf("record not in the Secret Service: %v", err)
	}
	msg := []byte("approved")
	sig, _ := s.Sign(nil, msg, nil)

	// A new Keystore value in this process, then a new process: both load
	// the same key from the keyring.
	s2, err := openKS(t, service, dir).Signer()
	if err != nil || s2.KeyID() != s.KeyID() {
		t.Fatalf("second Open: key %v, err %v; want %s", s2, err, s.KeyID())
	}
	if res := runHelper(t, service, dir, map[string]string{}); res.KeyID != s.KeyID() {
		t.Fatalf("after restart: %+v, want key %s", res, s.KeyID())
	}

	rot, err := ks.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if rot.Old != s.KeyID() || rot.New == s.KeyID() {
		t.Fatalf("Rotation = %+v", rot)
	}
	if _, err := keyring.Get(service, keystore.SecretName(rot.Old)); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("retired secret still in the keyring (err %v)", err)
	}
	if res := runHelper(t, service, dir, map[string]string{}); res.KeyID != rot.New {
		t.Fatalf("after rotate and restart: %+v, want key %s", res, rot.New)
	}
	set, err := keystore.ReadJWKS(filepath.Join(dir, keystore.JWKSFile))
	if err != nil {
		t.Fatal(err)
	}
	pub, retired, ok := set.PublicKey(rot.Old)
	if !ok || retired.IsZero() || !ed25519.Verify(pub, msg, sig) {
		t.Errorf("retired key in JWKS: ok %v retired %v; verifies old signature: %v", ok, retired, ok && ed25519.Verify(pub, msg, sig))
	}
}

func TestRealKeyringMissingSecret(t *testing.T) {
	service := keyringtest.Service(t)
	dir := t.TempDir()
	s, _ := openKS(t, service, dir).Signer()
	if err := keyring.Delete(service, keystore.SecretName(s.KeyID())); err != nil {
		t.Fatal(err)
	}
	_, err := keystore.Open(keyringtest.Backend(service), keystore.Options{DataDir: dir})
	var me *keystore.KeyMissingError
	if !errors.As(err, &me) || me.KeyID != s.KeyID() || !strings.Contains(err.Error(), "Secret Service") {
		t.Fatalf("Open with the secret gone: %v; want KeyMissingError for %s", err, s.KeyID())
	}
	rot, err := keystore.Rotate(keyringtest.Backend(service), keystore.Options{DataDir: dir})
	if err != nil || rot.Old != s.KeyID() {
		t.Fatalf("recovery Rotate: %+v, %v", rot, err)
	}
	if s2, _ := openKS(t, service, dir).Signer(); s2.KeyID() != rot.New {
		t.Fatalf("after recovery the key is %s, want %s", s2.KeyID(), rot.New)
	}
}

func TestRealKeyringDamagedRecord(t *testing.T) {
	service := keyringtest.Service(t)
	dir := t.TempDir()
	openKS(t, service, dir)
	if err := keyring.Set(service, keystore.RecordName, "{damaged"); err != nil {
		t.Fatal(err)
	}
	_, err := keystore.Open(keyringtest.Backend(service), keystore.Options{DataDir: dir})
	if !errors.Is(err, keystore.ErrCorrupt) {
		t.Fatalf("Open with a damaged record: %v, want ErrCorrupt", err)
	}
	if v, _ := keyring.Get(service, keystore.RecordName); v != "{damaged" {
		t.Errorf("the damaged record was overwritten with %q", v)
	}
}

func TestRealKeyringLocked(t *testing.T) {
	service := keyringtest.Service(t)
	dir := t.TempDir()
	s, _ := openKS(t, service, dir).Signer()

	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	svc := conn.Object(secretsName, secretsPath)
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{defaultAlias}).Store(&locked, &prompt); err != nil {
		t.Fatalf("locking the default collection: %v", err)
	}
	t.Cleanup(func() { unlock(t, conn) })
	if len(locked) != 1 {
		t.Fatalf("Lock locked %v (prompt %s)", locked, prompt)
	}

	_, err = keystore.Open(keyringtest.Backend(service), keystore.Options{DataDir: dir})
	var ue *keystore.UnavailableError
	if !errors.As(err, &ue) || !errors.Is(err, keystore.ErrKeyringUnavailable) || ue.Reason != keystore.ReasonLocked {
		t.Fatalf("Open on a locked keyring: %v; want ErrKeyringUnavailable, reason locked", err)
	}
	for _, want := range []string{"locked", "gnome-keyring or KeePassXC", "--keystore file (weaker"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}

	unlock(t, conn)
	if s2, err := openKS(t, service, dir).Signer(); err != nil || s2.KeyID() != s.KeyID() {
		t.Fatalf("after unlocking: %v, %v; want key %s", s2, err, s.KeyID())
	}
}

// unlock unlocks the default collection without a prompt, through
// gnome-keyring's own interface, with the password with-session.sh used.
func unlock(t *testing.T, conn *dbus.Conn) {
	t.Helper()
	svc := conn.Object(secretsName, secretsPath)
	var coll dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.ReadAlias", 0, "default").Store(&coll); err != nil {
		t.Fatalf("ReadAlias: %v", err)
	}
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		t.Fatalf("OpenSession: %v", err)
	}
	defer conn.Object(secretsName, session).Call("org.freedesktop.Secret.Session.Close", 0)
	pw := os.Getenv(envPassword)
	if pw == "" {
		pw = defaultPassword
	}
	secret := struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}{session, []byte{}, []byte(pw), "text/plain"}
	if err := svc.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0, coll, secret).Err; err != nil {
		t.Fatalf("unlocking %s again: %v", coll, err)
	}
	v, err := conn.Object(secretsName, coll).GetProperty("org.freedesktop.Secret.Collection.Locked")
	if err != nil || v.Value() != false {
		t.Fatalf("collection %s still locked (%v, %v)", coll, v, err)
	}
}

func TestRealKeyringNoSessionBus(t *testing.T) {
	service := keyringtest.Service(t)
	dir := t.TempDir()
	runDir := filepath.Join("/run/user", fmt.Sprint(os.Getuid()))
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(runDir, name)); err == nil {
			t.Skipf("%s/%s exists: the D-Bus library would find this user's bus without DBUS_SESSION_BUS_ADDRESS", runDir, name)
		}
	}
	tests := []struct {
		name string
		addr string
	}{
		{"unset", "-"},
		{"autolaunch", "autolaunch:"},
		{"socket gone", "unix:path=" + filepath.Join(t.TempDir(), "no-bus-here")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runHelper(t, service, dir, map[string]string{"DBUS_SESSION_BUS_ADDRESS": tt.addr})
			if res.Reason != string(keystore.ReasonNoSessionBus) {
				t.Fatalf("helper: %+v; want reason %s", res, keystore.ReasonNoSessionBus)
			}
			for _, want := range []string{"no D-Bus session bus", "Start a Secret Service such as gnome-keyring or KeePassXC and unlock it, or run with --keystore file (weaker"} {
				if !strings.Contains(res.Error, want) {
					t.Errorf("message %q lacks %q", res.Error, want)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, keystore.JWKSFile)); err == nil {
		t.Error("a keystore was created without a keyring")
	}
}

// TestRealKeyringNoSecretService runs a private bus whose configuration
// offers no services, so nothing answers for the Secret Service.
func TestRealKeyringNoSecretService(t *testing.T) {
	service := keyringtest.Service(t)
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Fatalf("dbus-daemon not found: %v", err)
	}
	tmp := t.TempDir()
	conf := filepath.Join(tmp, "bus.conf")
	os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(tmp, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address=1")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// The daemon prints its address once it listens.
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the bus address: %v", err)
	}
	addr := strings.TrimSpace(line)
	res := runHelper(t, service, t.TempDir(), map[string]string{"DBUS_SESSION_BUS_ADDRESS": addr})
	if res.Reason != string(keystore.ReasonNoService) || !strings.Contains(res.Error, "no Secret Service answers") {
		t.Fatalf("helper on a bus without a Secret Service: %+v; want reason %s", res, keystore.ReasonNoService)
	}
}
