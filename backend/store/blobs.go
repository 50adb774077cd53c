package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// checkBeforeCompress: content at least this large is looked up before it is
// compressed, so storing the same large file twice costs a lookup, not a
// compression.
const checkBeforeCompress = 64 << 10

// blob is content ready to insert.
type blob struct {
	sha        string
	size       int
	compressed []byte // nil when the blob is already stored
}

// Hash returns the lower-case hex SHA-256 under which data is stored.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// makeBlob hashes and compresses data.
func (s *Store) makeBlob(ctx context.Context, data []byte) (blob, error) {
	if len(data) > MaxBlobBytes {
		return blob{}, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(data), MaxBlobBytes)
	}
	b := blob{sha: Hash(data), size: len(data)}
	if len(data) >= checkBeforeCompress {
		var one int
		err := s.stmts.hasBlob.QueryRowContext(ctx, b.sha).Scan(&one)
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return blob{}, s.wrap("look up blob", err)
		}
	}
	b.compressed = s.enc.EncodeAll(data, make([]byte, 0, len(data)/2+64))
	return b, nil
}

// put inserts b unless a blob with its hash exists.
func (s *Store) put(ctx context.Context, tx *sql.Tx, b blob) error {
	if b.compressed == nil {
		return nil
	}
	_, err := tx.StmtContext(ctx, s.stmts.insertBlob).ExecContext(ctx, b.sha, b.size, b.compressed)
	return err
}

// PutBlob stores data once under its SHA-256 and returns the hash.
func (s *Store) PutBlob(ctx context.Context, data []byte) (string, error) {
	b, err := s.makeBlob(ctx, data)
	if err != nil {
		return "", err
	}
	err = s.write(ctx, "put blob", func(tx *sql.Tx) error { return s.put(ctx, tx, b) })
	if err != nil {
		return "", err
	}
	return b.sha, nil
}

// GetBlob returns the content stored under sha. Content that does not
// decompress within MaxBlobBytes, or does not match its size or hash, is
// reported as ErrCorrupt; content removed by the retention setting as
// ErrPruned.
func (s *Store) GetBlob(ctx context.Context, sha string) ([]byte, error) {
	var (
		size       int64
		compressed []byte
	)
	err := s.stmts.getBlob.QueryRowContext(ctx, sha).Scan(&size, &compressed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: blob %s", ErrNotFound, sha)
	}
	if err != nil {
		return nil, s.wrap("get blob", err)
	}
	return s.decodeBlob(sha, size, compressed)
}

// decodeBlob decompresses a stored blob within its recorded size and checks
// it against its hash.
func (s *Store) decodeBlob(sha string, size int64, compressed []byte) ([]byte, error) {
	if len(compressed) == 0 && size > 0 {
		if err := s.pruned(sha); err != nil {
			return nil, err
		}
	}
	if size < 0 || size > MaxBlobBytes {
		return nil, &CorruptError{Path: s.path, Err: fmt.Errorf("blob %s claims %d bytes", sha, size)}
	}
	data, err := s.dec.DecodeAll(compressed, make([]byte, 0, size))
	if err != nil {
		return nil, &CorruptError{Path: s.path, Err: fmt.Errorf("blob %s: %w", sha, err)}
	}
	if int64(len(data)) != size || Hash(data) != sha {
		return nil, &CorruptError{Path: s.path, Err: fmt.Errorf("blob %s does not match its size or hash", sha)}
	}
	return data, nil
}
