package audit

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"

	"countersign/backend/config"
	"countersign/backend/keystore"
	"countersign/backend/store"
)

// KeyFile is the file in the data directory that lists the signed-note
// verifier keys of the audit checkpoints, current first, one per line,
// beside the JWKS file.
const KeyFile = "audit-keys.txt"

// Config holds a Log's dependencies.
type Config struct {
	Store *store.Store
	// Keys signs the checkpoints. Nil: no checkpoint is signed, and Open
	// says so in Log.KeyErr.
	Keys    *keystore.Keystore
	DataDir string           // where KeyFile is written
	Now     func() time.Time // nil: time.Now
	Logf    func(format string, args ...any)
	// Tick is how often the running log reads new records (for the SIEM file
	// and the tree); 0 means one second.
	Tick time.Duration
}

// Log keeps the audit log's Merkle tree up to date as records are written,
// signs checkpoints of it, feeds the SIEM file and applies retention. Its
// methods are safe for concurrent use.
type Log struct {
	cfg    Config
	origin string

	mu         sync.Mutex
	tree       treeState
	signed     int64     // the size of the last checkpoint signed or resumed from
	signedAt   time.Time // when the running log last signed
	settings   config.Settings
	siem       *siemSink
	siemErr    string
	prunedAt   time.Time
	started    bool
	stop, done chan struct{}
	closeOnce  sync.Once
}

// Open reads the log's state: the tree over every record, resumed from the
// last valid checkpoint. It writes KeyFile when it has keys.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Tick <= 0 {
		cfg.Tick = time.Second
	}
	id, err := cfg.Store.AuditLogID(ctx)
	if err != nil {
		return nil, err
	}
	l := &Log{cfg: cfg, origin: Origin(id), stop: make(chan struct{}), done: make(chan struct{})}
	var keys *Keys
	if cfg.Keys != nil {
		set, err := cfg.Keys.Keys()
		if err != nil {
			return nil, err
		}
		k, err := KeysFromSet(set)
		if err != nil {
			return nil, err
		}
		keys = &k
		if cfg.DataDir != "" {
			if err := WriteKeyFile(cfg.DataDir, k); err != nil {
				cfg.Logf("audit: writing %s: %v", KeyFile, err)
			}
		}
	}
	if l.tree, err = loadTree(ctx, cfg.Store, keys, l.origin); err != nil {
		return nil, err
	}
	l.signed = l.tree.from
	if err := l.reload(ctx); err != nil {
		cfg.Logf("audit: %v", err)
	}
	return l, nil
}

// WriteKeyFile writes the verifier keys to KeyFile in dataDir.
func WriteKeyFile(dataDir string, k Keys) error {
	return keystore.WriteFileAtomic(filepath.Join(dataDir, KeyFile), keyLines(k.List), 0o644)
}

// Origin is the log's origin line.
func (l *Log) Origin() string { return l.origin }

// Size returns how many records the tree covers.
func (l *Log) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int64(l.tree.rng.End())
}

// reload reads the settings and reconfigures the SIEM file if they changed.
func (l *Log) reload(ctx context.Context) error {
	m, err := l.cfg.Store.Settings(ctx)
	if err != nil {
		return err
	}
	s, err := config.ParseSettings(m)
	if err != nil {
		return err
	}
	l.settings = s
	if l.siem != nil && l.siem.path == s.SIEMFile {
		return nil
	}
	if l.siem != nil {
		l.siem.close()
		l.siem = nil
	}
	if s.SIEMFile == "" {
		return nil
	}
	sink, err := openSIEM(ctx, s.SIEMFile, l.cfg.Store, l.tree)
	if err != nil {
		msg := err.Error()
		if msg != l.siemErr {
			l.cfg.Logf("audit: SIEM file: %v", err)
		}
		l.siemErr = msg
		return nil
	}
	l.siem, l.siemErr = sink, ""
	return nil
}

// Sync reads the records written since the last Sync, from any process,
// into the tree and the SIEM file.
func (l *Log) Sync(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sync(ctx)
}

func (l *Log) sync(ctx context.Context) error {
	if err := l.reload(ctx); err != nil {
		l.cfg.Logf("audit: settings: %v", err)
	}
	var lines [][]byte
	err := l.tree.read(ctx, l.cfg.Store, func(rec []byte) {
		if l.siem != nil {
			lines = append(lines, append([]byte(nil), rec...))
		}
	})
	if l.siem != nil && len(lines) > 0 {
		if werr := l.siem.write(lines...); werr != nil {
			l.cfg.Logf("audit: SIEM file %s: %v", l.siem.path, werr)
			l.siem.close()
			l.siem = nil
		}
	}
	return err
}

// Checkpoint reads new records and, if the log grew since the last
// checkpoint, signs one and stores it. It reports whether it signed.
func (l *Log) Checkpoint(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.sync(ctx); err != nil {
		return false, err
	}
	size := int64(l.tree.rng.End())
	if size == l.signed {
		return false, nil
	}
	if l.cfg.Keys == nil {
		return false, errors.New("audit: no signing key, so no checkpoint")
	}
	signer, err := l.cfg.Keys.Signer()
	if err != nil {
		return false, err
	}
	cp, err := storeCheckpoint(ctx, l.cfg.Store, signer, l.origin, l.tree.rng, l.cfg.Now())
	if err != nil {
		return false, err
	}
	l.signed, l.signedAt = size, l.cfg.Now()
	if l.siem != nil {
		if err := l.siem.write(checkpointLine(cp.Note)); err != nil {
			l.cfg.Logf("audit: SIEM file %s: %v", l.siem.path, err)
		}
	}
	return true, nil
}

// Start runs the log in the background until Close: it reads new records
// every Tick, signs a checkpoint every CheckpointEvery (a setting) when the
// log grew, and applies the retention setting once a day.
func (l *Log) Start(ctx context.Context) error {
	l.mu.Lock()
	if l.started {
		l.mu.Unlock()
		return errors.New("audit: the log is already started")
	}
	l.started, l.signedAt = true, l.cfg.Now()
	l.mu.Unlock()
	if l.cfg.Keys == nil {
		l.cfg.Logf("audit: no signing key, so no checkpoint will be signed; records are protected by their hash chain only")
	}
	go l.loop(ctx)
	return nil
}

func (l *Log) loop(ctx context.Context) {
	defer close(l.done)
	t := time.NewTicker(l.cfg.Tick)
	defer t.Stop()
	for {
		l.prune(ctx)
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		case <-l.stop:
			return
		}
		if err := l.Sync(ctx); err != nil && ctx.Err() == nil {
			l.cfg.Logf("%v", err)
		}
		l.mu.Lock()
		due := l.cfg.Keys != nil && l.cfg.Now().Sub(l.signedAt) >= l.settings.CheckpointEvery
		l.mu.Unlock()
		if due {
			if _, err := l.Checkpoint(ctx); err != nil && ctx.Err() == nil {
				l.cfg.Logf("%v", err)
			}
			l.mu.Lock()
			l.signedAt = l.cfg.Now()
			l.mu.Unlock()
		}
	}
}

// prune applies the retention setting if it is set and a day has passed
// since it last ran.
func (l *Log) prune(ctx context.Context) {
	l.mu.Lock()
	days, last := l.settings.RetentionDays, l.prunedAt
	l.mu.Unlock()
	now := l.cfg.Now()
	if days <= 0 || now.Sub(last) < 24*time.Hour {
		return
	}
	n, err := l.cfg.Store.PruneContent(ctx, now.Add(-time.Duration(days)*24*time.Hour), now)
	if err != nil {
		l.cfg.Logf("audit: retention: %v", err)
		return
	}
	if n > 0 {
		l.cfg.Logf("audit: retention removed the content of %d stored items", n)
	}
	l.mu.Lock()
	l.prunedAt = now
	l.mu.Unlock()
}

// Close stops the background work and signs a last checkpoint covering every
// record, so that a log closed cleanly is covered to its end. Later calls do
// nothing.
func (l *Log) Close() error {
	var err error
	l.closeOnce.Do(func() {
		close(l.stop)
		l.mu.Lock()
		started := l.started
		l.mu.Unlock()
		if started {
			<-l.done
		}
		if l.cfg.Keys != nil {
			_, err = l.Checkpoint(context.Background())
		}
		l.mu.Lock()
		if l.siem != nil {
			l.siem.close()
			l.siem = nil
		}
		l.mu.Unlock()
	})
	return err
}
