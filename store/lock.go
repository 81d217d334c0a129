package store

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"os"
	"regexp"
	"sync"

	"github.com/fnaudit/fnaudit/internal/flock"
)

// lockName is what a lock may be called: it becomes part of a file name
// next to a SQLite store.
var lockName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// TryLock takes the store-wide lock called name without waiting: ok is
// false when another holder (this process or another one, on this host or,
// for PostgreSQL, any host) has it. unlock releases it; it is safe to call
// more than once. The lock also ends with the process that holds it, so a
// crashed holder never leaves it taken.
//
// PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on a key
// derived from name, held on one connection set aside from the pool until
// unlock. SQLite: an exclusive flock(2) on the file "<store>.<name>.lock"
// next to the database file; flock locks belong to an open file, so two
// holders in one process exclude each other too. Platforms without flock
// have no lock (ok is always true): run one process per SQLite store there.
func (s *DB) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	if !lockName.MatchString(name) {
		return nil, false, fmt.Errorf("lock name %q: use 1 to 64 of a-z, 0-9, '.', '_', '-'", name)
	}
	if s.d.numbered {
		return s.tryAdvisoryLock(ctx, name)
	}
	return s.tryFileLock(name)
}

// Ping checks that the store can be reached.
func (s *DB) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("reaching %s: %w", s.name, err)
	}
	return nil
}

// advisoryKey is the PostgreSQL advisory lock key of a lock name.
func advisoryKey(name string) int64 {
	sum := sha256.Sum256([]byte("fnaudit lock " + name))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

func (s *DB) tryAdvisoryLock(ctx context.Context, name string) (func(), bool, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("taking lock %s in %s: %w", name, s.name, err)
	}
	key := advisoryKey(name)
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("taking lock %s in %s: %w", name, s.name, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			// The session that holds the lock must not go back to the pool
			// still holding it: if unlocking fails, the connection is
			// discarded, which ends the session and so the lock.
			var released bool
			err := conn.QueryRowContext(context.Background(), `SELECT pg_advisory_unlock($1)`, key).Scan(&released)
			if err != nil || !released {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			conn.Close()
		})
	}, true, nil
}

func (s *DB) tryFileLock(name string) (func(), bool, error) {
	path := s.name + "." + name + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("taking lock %s: %w", name, err)
	}
	ok, err := flock.TryLock(f)
	if err != nil || !ok {
		f.Close()
		if err != nil {
			return nil, false, fmt.Errorf("taking lock %s on %s: %w", name, path, err)
		}
		return nil, false, nil
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = flock.Unlock(f)
			f.Close()
		})
	}, true, nil
}
