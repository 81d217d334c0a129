// Package storetest gives tests and benchmarks a PostgreSQL database of
// their own on the server a DSN names (FNAUDIT_TEST_POSTGRES, started by
// scripts/postgres-test.sh).
package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// FreshPostgres creates a new database on the server of dsn and returns
// its DSN; it is dropped when the test or benchmark ends.
func FreshPostgres(tb testing.TB, dsn string) string {
	tb.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "fnaudit_test_" + hex.EncodeToString(b)
	// CREATE DATABASE takes no parameters; the name is made here, not input.
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("creating a test database: %v", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	tb.Cleanup(func() {
		if a, err := sql.Open("pgx", dsn); err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	return u.String()
}
