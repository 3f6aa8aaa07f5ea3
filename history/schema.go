package history

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// The schema, as migrations from the first version on: migration i takes a history from
// version i to i+1, in one transaction. A build opens a history of its own version or older
// (migrating it) and refuses a newer one. Append; never edit a migration that has shipped.
//
//	runs:   one results file added (its digest unique: a second add of it adds nothing)
//	rows:   every row of it, whole: its columns by name as the CSV has them
//	points: the series values derived from the rows (history check reads only these)
//	hists:  a histogram file's buckets per configuration and engine, its rounds added (2)
var migrations = []string{
	// 1: the first schema.
	`CREATE TABLE aiobench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	CREATE TABLE aiobench_runs (
		id {id},
		commit_sha TEXT NOT NULL,
		position BIGINT NOT NULL,
		branch TEXT NOT NULL,
		host TEXT NOT NULL,
		machine TEXT NOT NULL,
		source TEXT NOT NULL,
		digest TEXT NOT NULL UNIQUE,
		added_utc TEXT NOT NULL,
		columns TEXT NOT NULL,
		comments TEXT NOT NULL);
	CREATE TABLE aiobench_rows (
		run_id BIGINT NOT NULL REFERENCES aiobench_runs(id),
		idx INTEGER NOT NULL,
		data TEXT NOT NULL,
		PRIMARY KEY (run_id, idx));
	CREATE TABLE aiobench_points (
		run_id BIGINT NOT NULL REFERENCES aiobench_runs(id),
		host TEXT NOT NULL,
		config TEXT NOT NULL,
		engine TEXT NOT NULL,
		metric TEXT NOT NULL,
		better TEXT NOT NULL,
		value DOUBLE PRECISION NOT NULL);
	CREATE INDEX aiobench_points_series ON aiobench_points (host, config, engine, metric);
	CREATE INDEX aiobench_runs_commit ON aiobench_runs (commit_sha)`,
	// 2: latency histograms (--hist files), so that a fleet's percentiles come from its
	// hosts' histograms added, never from their percentiles averaged.
	`CREATE TABLE aiobench_hists (
		run_id BIGINT NOT NULL REFERENCES aiobench_runs(id),
		config TEXT NOT NULL,
		engine TEXT NOT NULL,
		lo BIGINT NOT NULL,
		hi BIGINT NOT NULL,
		count BIGINT NOT NULL);
	CREATE INDEX aiobench_hists_series ON aiobench_hists (config, engine)`,
}

// Version is the schema version this build writes.
var Version = len(migrations)

// migrate brings the schema to Version.
func (h *DB) migrate(ctx context.Context) error {
	have, err := h.version(ctx)
	if err != nil {
		return err
	}
	if have > Version {
		return fmt.Errorf("its schema is version %d, newer than this build's %d: use a newer aiobench", have, Version)
	}
	for v := have; v < Version; v++ {
		tx, err := h.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		ddl := strings.ReplaceAll(migrations[v], "{id}", h.idColumn())
		for _, stmt := range strings.Split(ddl, ";") {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration to version %d: %w", v+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM aiobench_meta WHERE key = 'schema_version'`); err != nil {
			tx.Rollback()
			return err
		}
		if _, err := tx.ExecContext(ctx, h.q(`INSERT INTO aiobench_meta (key, value) VALUES ('schema_version', ?)`), strconv.Itoa(v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration to version %d: %w", v+1, err)
		}
	}
	return nil
}

func (h *DB) idColumn() string {
	if h.postgres {
		return "BIGSERIAL PRIMARY KEY"
	}
	return "INTEGER PRIMARY KEY AUTOINCREMENT"
}

// version reads the schema version: 0 for an empty database; an error wrapping ErrNotHistory
// for one that holds tables but not aiobench's.
func (h *DB) version(ctx context.Context) (int, error) {
	var v string
	err := h.db.QueryRowContext(ctx, `SELECT value FROM aiobench_meta WHERE key = 'schema_version'`).Scan(&v)
	if err == nil {
		return strconv.Atoi(v)
	}
	if err != sql.ErrNoRows && !h.noTable(ctx) {
		return 0, err
	}
	// No meta table: a new database, or someone else's.
	var n int
	query := `SELECT count(*) FROM sqlite_master WHERE type = 'table'`
	if h.postgres {
		query = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'aiobench_%'`
	}
	if err := h.db.QueryRowContext(ctx, query).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, fmt.Errorf("%w: it holds tables, but no aiobench_meta", ErrNotHistory)
	}
	return 0, nil
}

// noTable says whether aiobench_meta is missing.
func (h *DB) noTable(ctx context.Context) bool {
	var n int
	query := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'aiobench_meta'`
	if h.postgres {
		query = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'aiobench_meta'`
	}
	return h.db.QueryRowContext(ctx, query).Scan(&n) == nil && n == 0
}
