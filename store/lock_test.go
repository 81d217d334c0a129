package store

import (
	"context"
	"testing"
)

// TestTryLock takes a named lock through two handles on one store: the
// second is refused while the first holds it, gets it after unlock, and
// other names are independent. A bad name is an error.
func TestTryLock(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.dsn(t)
			a, c := open(t, dsn), open(t, dsn)
			unlock, ok, err := a.TryLock(ctx, "scheduled-rescan")
			if err != nil || !ok {
				t.Fatalf("first TryLock: ok %v, %v", ok, err)
			}
			for _, s := range []*DB{a, c} {
				if _, ok, err := s.TryLock(ctx, "scheduled-rescan"); err != nil || ok {
					t.Errorf("TryLock while held: ok %v, %v", ok, err)
				}
			}
			other, ok, err := c.TryLock(ctx, "something-else")
			if err != nil || !ok {
				t.Errorf("another name: ok %v, %v", ok, err)
			} else {
				other()
			}
			unlock()
			unlock() // a second call does nothing
			again, ok, err := c.TryLock(ctx, "scheduled-rescan")
			if err != nil || !ok {
				t.Fatalf("TryLock after unlock: ok %v, %v", ok, err)
			}
			again()
			if err := a.Ping(ctx); err != nil {
				t.Errorf("Ping: %v", err)
			}
		})
	}
	s := open(t, backends(t)[0].dsn(t))
	for _, name := range []string{"", "../x", "UPPER", "a/b", string(make([]byte, 65))} {
		if _, _, err := s.TryLock(ctx, name); err == nil {
			t.Errorf("lock name %q accepted", name)
		}
	}
}
