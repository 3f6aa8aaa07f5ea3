// Package history keeps aiobench's results across commits and machines in a database — an
// SQLite file by default (modernc.org/sqlite: pure Go, so `go install` needs no C compiler),
// PostgreSQL for a postgres:// URL (jackc/pgx) — and checks each series of it for change
// points (history/changepoint). Every results row is kept whole, with its columns' meanings
// and its machine; the series a check reads are derived at ingest. The command's `history`
// subcommand is a thin layer over it.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// A DB is an open history.
type DB struct {
	db       *sql.DB
	postgres bool
	Target   string // what Open was given, the password left out
}

// IsPostgres says whether target names a PostgreSQL database rather than an SQLite file.
func IsPostgres(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// ErrNotHistory is wrapped by Open's error for an existing file or database that is not an
// aiobench history: it is left as it is.
var ErrNotHistory = errors.New("not an aiobench history")

// ErrNoHistory is Open's error for an SQLite file that does not exist when create is false.
var ErrNoHistory = errors.New("no history there (history add makes one)")

// Open opens the history at target, a postgres:// URL or an SQLite file's path, creating the
// schema where there is none and migrating an older schema to this build's; a missing SQLite
// file is created (never its directory) only if create is set. An existing file that is not an
// aiobench history, or a database whose schema is newer than this build's, is refused
// untouched.
func Open(ctx context.Context, target string, create bool) (*DB, error) {
	h := &DB{postgres: IsPostgres(target), Target: Redact(target)}
	if !h.postgres && !create && target != "" {
		if _, err := os.Stat(target); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("history %s: %w", target, ErrNoHistory)
		}
	}
	var err error
	if h.postgres {
		h.db, err = sql.Open("pgx", target)
	} else {
		if err := checkFile(target); err != nil {
			return nil, err
		}
		// One writer at a time waits for the other (busy_timeout) rather than failing.
		h.db, err = sql.Open("sqlite", "file:"+target+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", h.Target, err)
	}
	if !h.postgres {
		h.db.SetMaxOpenConns(1)
	}
	if err := h.db.PingContext(ctx); err != nil {
		h.db.Close()
		return nil, fmt.Errorf("history %s: %w", h.Target, err)
	}
	if err := h.migrate(ctx); err != nil {
		h.db.Close()
		return nil, fmt.Errorf("history %s: %w", h.Target, err)
	}
	return h, nil
}

// Close closes the database.
func (h *DB) Close() error { return h.db.Close() }

// checkFile refuses a path whose directory is missing, or a file that is not SQLite's: an
// existing file is opened only if it is an SQLite database (then the schema check decides).
func checkFile(path string) error {
	if path == "" {
		return errors.New("history: no database named (an SQLite file's path or a postgres:// URL)")
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return fmt.Errorf("history %s: its directory %s does not exist", path, filepath.Dir(path))
	}
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("history %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("history %s: %w (not a regular file)", path, ErrNotHistory)
	}
	if fi.Size() == 0 {
		return fmt.Errorf("history %s: %w (an empty file, not made by aiobench)", path, ErrNotHistory)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("history %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 16)
	if n, _ := f.Read(head); n < 16 || string(head) != "SQLite format 3\x00" {
		return fmt.Errorf("history %s: %w (not an SQLite database)", path, ErrNotHistory)
	}
	return nil
}

// Redact leaves a URL's password out of what is shown.
func Redact(target string) string {
	if i := strings.Index(target, "://"); i >= 0 {
		rest := target[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if user, _, ok := strings.Cut(rest[:at], ":"); ok {
				return target[:i+3] + user + ":…@" + rest[at+1:]
			}
		}
	}
	return target
}

// q rewrites a query's ? placeholders as $1, $2 … for PostgreSQL.
func (h *DB) q(query string) string {
	if !h.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
