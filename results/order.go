package results

// firstOrder is the header as files have it: its columns keep their places in every later
// release, and a column added since goes after them, in the order it is declared (the harness's
// own, then each engine's). Users' scripts may read columns by position; they must not move.
// The first 96 are the header from before the engines declared their own columns; the rest
// were frozen here on 2026-12-01, when retry's polls, polls_ready and retry_poll_us came in
// after them.
var firstOrder = []string{
	"engine", "workload", "bs", "iodepth", "jobs", "cache", "round", "ops", "bytes", "errors", "elapsed_s",
	"iops", "mib_s", "lat_mean_us", "lat_p50_us", "lat_p90_us", "lat_p99_us", "lat_p999_us", "lat_max_us",
	"slat_p50_us", "clat_p50_us", "cpu_user_s", "cpu_sys_s", "cpu_us_per_op", "ctxsw", "resident_start_pct",
	"resident_end_pct", "verify_errors", "complete", "kernel", "fs_type", "device", "cpu_model", "ncpu",
	"go_version", "aiobench_version", "started_utc", "seed", "size", "verify", "fadvise", "lat_min_us",
	"slat_p99_us", "clat_p99_us", "cache_drops", "first_error", "attempts_per_op", "attempts_max", "eagain",
	"short_reads", "kicks", "stale_kicks", "kicked_while_running", "fallbacks", "waiters_peak",
	"wait_to_retry_p50_us", "wait_to_retry_p99_us", "queue_wait_p50_us", "queue_wait_p99_us", "handoff_p50_us",
	"handoff_p99_us", "queue_peak", "gomaxprocs", "resident_target_pct", "background", "background_iops",
	"threads", "waiters", "notifier", "waiter_spin_us", "readaheads", "random", "warmup_ops", "dev_name",
	"dev_reads", "dev_read_bytes", "dev_reads_per_op", "dev_util_pct", "dev_aqu", "duel_blocks", "null_delay_ns",
	"duel", "libaio_submits_per_op", "libaio_getevents_per_op", "libaio_resubmits", "uring_enters_per_op",
	"uring_waits_per_op", "uring_inline_pct", "uring_resubmits", "uring_buf_regs", "uring_unfixed", "uring_async",
	"uring_fixed_files", "uring_fixed_buffers", "uring_sqpoll_idle_ms", "uring_entries", "nrfiles",
	"file_service", "cache_limit", "warnings", "rate", "arrival", "lat_target_us", "offered_iops",
	"lat_intended_mean_us", "lat_intended_p50_us", "lat_intended_p99_us", "lat_intended_p999_us",
	"lat_intended_max_us", "behind_p99_us", "backlog_max", "dropped", "target", "fs", "mount_opts", "scheduler",
	"read_ahead_kb", "class_mode", "classified", "hit_pct", "partial_pct", "lat_hit_p50_us", "lat_hit_p99_us",
	"lat_hit_p999_us", "lat_miss_p50_us", "lat_miss_p99_us", "lat_miss_p999_us", "lat_intended_hit_p50_us",
	"lat_intended_hit_p99_us", "lat_intended_miss_p50_us", "lat_intended_miss_p99_us", "eagain_resident",
	"retry_progress", "retry_wait", "sync_nowait",
}
