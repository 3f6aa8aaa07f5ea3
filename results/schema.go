package results

import "strings"

// The harness's own columns, each declared once: name (a contract with users' scripts: never
// renamed or removed), unit, meaning, and where the row builder takes it from. Which way a
// metric is better (higher, lower) and whether a column sets up a run (config) are said here
// too. The engines declare their own counters and options (enginecols.go). A new column is
// one line here; the order files are written in is order.go's (firstOrder).
var static = []Column{
	setup("engine", "", "engine name", func(r *Row) *string { return &r.Engine }, func(s *Setup) string { return s.Engine }).config(),
	setup("workload", "", "access pattern", func(r *Row) *string { return &r.Workload }, func(s *Setup) string { return s.Workload }).config(),
	setup("bs", "bytes", "bytes per request", func(r *Row) *int { return &r.BS }, func(s *Setup) int { return s.BS }).config(),
	setup("iodepth", "", "requests kept in flight per job", func(r *Row) *int { return &r.IODepth }, func(s *Setup) int { return s.IODepth }).config(),
	setup("jobs", "", "concurrent jobs, one OS thread each", func(r *Row) *int { return &r.Jobs }, func(s *Setup) int { return s.Jobs }).config(),
	setup("cache", "", "cache state asked for: warm, cold or direct", func(r *Row) *string { return &r.Cache }, func(s *Setup) string { return s.Cache }).config(),
	label("round", "", "round number, from 1", func(r *Row) *int { return &r.Round }, func(l *Labels) int { return l.Round }),
	measured("ops", "", "requests completed with verified data in the measured phase", func(r *Row) *int64 { return &r.Ops }, func(m *Measurement) int64 { return m.Ops }).higher(),
	measured("bytes", "bytes", "bytes read by those requests", func(r *Row) *int64 { return &r.Bytes }, func(m *Measurement) int64 { return m.Bytes }).higher(),
	measured("errors", "", "requests that failed or came back short, over the whole run (warm-up included)", func(r *Row) *int64 { return &r.Errors }, func(m *Measurement) int64 { return m.Errors }).lower(),
	measured("elapsed_s", "s", "length of the measured phase, pauses to evict the file at a new pass left out", func(r *Row) *float64 { return &r.Elapsed }, (*Measurement).elapsed).when((*Measurement).measured),
	measured("iops", "1/s", "ops / elapsed_s", func(r *Row) *float64 { return &r.IOPS }, func(m *Measurement) float64 { return m.perSecond(m.Ops) }).higher().when((*Measurement).measured),
	measured("mib_s", "MiB/s", "bytes / elapsed_s / 2^20", func(r *Row) *float64 { return &r.MiBs }, func(m *Measurement) float64 { return m.perSecond(m.Bytes) / (1 << 20) }).higher().when((*Measurement).measured),
	measured("lat_mean_us", "µs", "mean latency, from just before Submit to the completion seen by the job (lat)", func(r *Row) *float64 { return &r.LatMean }, (*Measurement).latMean).lower().when((*Measurement).completed),
	measured("lat_p50_us", "µs", "lat median", func(r *Row) *float64 { return &r.LatP50 }, func(m *Measurement) float64 { return pct(m.Lat, 50) }).lower().when((*Measurement).completed),
	measured("lat_p90_us", "µs", "lat 90th percentile", func(r *Row) *float64 { return &r.LatP90 }, func(m *Measurement) float64 { return pct(m.Lat, 90) }).lower().when((*Measurement).completed),
	measured("lat_p99_us", "µs", "lat 99th percentile", func(r *Row) *float64 { return &r.LatP99 }, func(m *Measurement) float64 { return pct(m.Lat, 99) }).lower().when((*Measurement).completed),
	measured("lat_p999_us", "µs", "lat 99.9th percentile", func(r *Row) *float64 { return &r.LatP999 }, func(m *Measurement) float64 { return pct(m.Lat, 99.9) }).lower().when((*Measurement).completed),
	measured("lat_max_us", "µs", "lat maximum", func(r *Row) *float64 { return &r.LatMax }, func(m *Measurement) float64 { return hmax(m.Lat) }).lower().when((*Measurement).completed),
	measured("slat_p50_us", "µs", "submission latency median: from just before Submit to its return", func(r *Row) *float64 { return &r.SlatP50 }, func(m *Measurement) float64 { return pct(m.Slat, 50) }).lower().when((*Measurement).completed),
	measured("clat_p50_us", "µs", "completion latency median: Submit's return to completion", func(r *Row) *float64 { return &r.ClatP50 }, func(m *Measurement) float64 { return pct(m.Clat, 50) }).lower().when((*Measurement).completed),
	measured("cpu_user_s", "s", "user CPU of the whole process in the measured phase (pauses at a new pass left out)", func(r *Row) *float64 { return &r.CPUUser }, func(m *Measurement) float64 { return m.cpu(m.CPUUserNS) }).lower().when((*Measurement).measured),
	measured("cpu_sys_s", "s", "system CPU of the whole process in the measured phase (pauses at a new pass left out)", func(r *Row) *float64 { return &r.CPUSys }, func(m *Measurement) float64 { return m.cpu(m.CPUSysNS) }).lower().when((*Measurement).measured),
	measured("cpu_us_per_op", "µs", "(cpu_user_s + cpu_sys_s) / ops", func(r *Row) *float64 { return &r.CPUPerOp }, (*Measurement).cpuPerOp).lower().when((*Measurement).completed),
	measured("ctxsw", "", "voluntary + involuntary context switches of the process in the measured phase", func(r *Row) *int64 { return &r.CtxSw }, (*Measurement).ctxsw).lower().when(func(m *Measurement) bool { return m.Measured && m.CtxSw >= 0 }),
	measured("resident_start_pct", "%", "share of the file in the page cache when the measured phase starts, after the warm-up and the cache preparation (mincore)", func(r *Row) *float64 { return &r.ResidentStart }, func(m *Measurement) float64 { return m.ResidentStart }).when(func(m *Measurement) bool { return m.Measured && m.Resident }),
	measured("resident_end_pct", "%", "share of the file in the page cache after the run", func(r *Row) *float64 { return &r.ResidentEnd }, func(m *Measurement) float64 { return m.ResidentEnd }).when(func(m *Measurement) bool { return m.Resident }),
	measured("verify_errors", "", "requests whose data did not match the layout, over the whole run", func(r *Row) *int64 { return &r.VerifyErrors }, func(m *Measurement) int64 { return m.VerifyErrors }).lower(),
	measured("complete", "", "true when the run reached its --runtime or --ops bound; false when it was interrupted or the engine failed", func(r *Row) *bool { return &r.Complete }, func(m *Measurement) bool { return m.Complete }),
	label("kernel", "", "uname release", func(r *Row) *string { return &r.Kernel }, func(l *Labels) string { return l.Machine.Kernel }),
	label("fs_type", "", "file system of --dir", func(r *Row) *string { return &r.FSType }, func(l *Labels) string { return l.Machine.FSType }),
	label("device", "", "block device (mount source) of --dir", func(r *Row) *string { return &r.Device }, func(l *Labels) string { return l.Machine.Device }),
	label("cpu_model", "", "CPU model name", func(r *Row) *string { return &r.CPUModel }, func(l *Labels) string { return l.Machine.CPUModel }),
	label("ncpu", "", "CPUs usable by the process", func(r *Row) *int { return &r.NCPU }, func(l *Labels) int { return l.Machine.NCPU }),
	label("go_version", "", "Go toolchain aiobench was built with", func(r *Row) *string { return &r.GoVersion }, func(l *Labels) string { return l.Machine.GoVersion }),
	label("aiobench_version", "", "aiobench's version (module version or VCS revision)", func(r *Row) *string { return &r.Version }, func(l *Labels) string { return l.Machine.Version }),
	label("started_utc", "RFC 3339", "when the run started", func(r *Row) *string { return &r.StartedUTC }, func(l *Labels) string { return l.StartedUTC }),
	setup("seed", "", "the run's seed", func(r *Row) *uint64 { return &r.Seed }, func(s *Setup) uint64 { return s.Seed }),
	setup("size", "bytes", "bytes of the data file in use", func(r *Row) *int64 { return &r.Size }, func(s *Setup) int64 { return s.Size }).config(),
	setup("verify", "", "verification mode: cheap, full, or none for an engine that moves no data", func(r *Row) *string { return &r.Verify }, func(s *Setup) string { return s.Verify }).config(),
	setup("fadvise", "", "posix_fadvise hint given to every job's file: random, sequential or none", func(r *Row) *string { return &r.Fadvise }, func(s *Setup) string { return s.Fadvise }).config(),
	measured("lat_min_us", "µs", "lat minimum", func(r *Row) *float64 { return &r.LatMin }, func(m *Measurement) float64 { return hmin(m.Lat) }).lower().when((*Measurement).completed),
	measured("slat_p99_us", "µs", "slat 99th percentile", func(r *Row) *float64 { return &r.SlatP99 }, func(m *Measurement) float64 { return pct(m.Slat, 99) }).lower().when((*Measurement).completed),
	measured("clat_p99_us", "µs", "clat 99th percentile", func(r *Row) *float64 { return &r.ClatP99 }, func(m *Measurement) float64 { return pct(m.Clat, 99) }).lower().when((*Measurement).completed),
	measured("cache_drops", "", "times the file was evicted in the measured phase: a cold run starting a new pass over the whole file (a partly cached one made partly resident again); the pauses are left out of elapsed_s, CPU and dev_ columns", func(r *Row) *int64 { return &r.CacheDrops }, func(m *Measurement) int64 { return m.CacheDrops }),
	measured("first_error", "", "the first error of the run, empty when there was none", func(r *Row) *string { return &r.FirstError }, func(m *Measurement) string { return m.FirstError }),
	measured("gomaxprocs", "", "GOMAXPROCS during the run: the CPUs, plus one per thread the engine keeps blocked in system calls", func(r *Row) *int { return &r.GOMAXPROCS }, func(m *Measurement) int { return m.GOMAXPROCS }),
	setup("nrfiles", "", "data files the requests were shared out over (--nrfiles, or --file with a list), each of size bytes, as file_service says; 0 for one, as files written before the column read", func(r *Row) *int { return &r.NrFiles }, func(s *Setup) int { return s.NrFiles }).config(),
	setup("file_service", "", "with several files, how the requests went to them (--file-service: random, the pattern over them end to end; roundrobin, each file in turn with its own order); empty for one", func(r *Row) *string { return &r.FileService }, func(s *Setup) string { return s.FileService }).config(),
	setup("cache_limit", "bytes", "the memory cgroup limit the run read under (--cache-limit: cgroup v2 memory.max or v1 memory.limit_in_bytes, the whole process in it), so that the kernel's reclaim sets the hit ratio; 0 for none", func(r *Row) *int64 { return &r.CacheLimit }, func(s *Setup) int64 { return s.CacheLimit }).config(),
	setup("resident_target_pct", "%", "share of the file made resident again after eviction (--resident; a partly cached cold run), 0 otherwise", func(r *Row) *float64 { return &r.ResidentTarget }, func(s *Setup) float64 { return s.ResidentTarget }).config(),
	setup("background", "", "engine of the background cold-read load during the run (syncfirst interference), empty when none", func(r *Row) *string { return &r.Background }, func(s *Setup) string { return s.Background }).config(),
	measured("background_iops", "1/s", "IOPS of that background load", func(r *Row) *float64 { return &r.BackgroundIOPS }, func(m *Measurement) float64 { return m.BackgroundIOPS }).higher().when(func(m *Measurement) bool { return m.HasBackground }),
	setup("random", "", "randread's order: the --random spec (perm: every block once per pass; uniform: with replacement); empty for other workloads", func(r *Row) *string { return &r.Random }, func(s *Setup) string { return s.Random }).config(),
	measured("warmup_ops", "", "requests completed with verified data in the warm-up (not timed)", func(r *Row) *int64 { return &r.WarmupOps }, func(m *Measurement) int64 { return m.WarmupOps }),
	devCol("dev_name", "", "block device whose counters the dev_ columns report (a partition's disk); empty when the data file has none (tmpfs, overlay)", func(r *Row) *string { return &r.DevName }, func(m *Measurement) string { return m.Dev.Name }),
	devCol("dev_reads", "", "read I/Os the device completed in the measured phase (/sys/block/<dev>/stat)", func(r *Row) *int64 { return &r.DevReads }, func(m *Measurement) int64 { return m.Dev.Reads }),
	devCol("dev_read_bytes", "bytes", "bytes the device read in the measured phase", func(r *Row) *int64 { return &r.DevReadBytes }, func(m *Measurement) int64 { return m.Dev.ReadBytes }),
	devCol("dev_reads_per_op", "", "dev_reads / ops: about 1 for cold 4 KiB random reads, 0 for warm ones", func(r *Row) *float64 { return &r.DevReadsPerOp }, (*Measurement).devPerOp),
	devCol("dev_util_pct", "%", "share of the measured phase the device had I/O in flight (io_ticks, as iostat's %util)", func(r *Row) *float64 { return &r.DevUtil }, func(m *Measurement) float64 { return 100 * m.devShare(m.Dev.BusyNS) }),
	devCol("dev_aqu", "", "average number of I/Os in the device's queue over the measured phase (time_in_queue, as iostat's aqu-sz)", func(r *Row) *float64 { return &r.DevAqu }, func(m *Measurement) float64 { return m.devShare(m.Dev.QueueNS) }),
	measured("duel_blocks", "", "blocks of requests this arm ran in the measured phase of a duel (two arms alternating in short blocks on one thread; IOPS, lat mean and CPU from the blocks), 0 for an ordinary run", func(r *Row) *int64 { return &r.DuelBlocks }, func(m *Measurement) int64 { return m.DuelBlocks }),
	measured("warnings", "", "what the run's figures must be read with, \"; \"-separated: a cache that was not, or did not stay, in the state asked for (warm evicted during the run, cold holding more than the run read), no device counters; empty when nothing", func(r *Row) *string { return &r.Warnings }, func(m *Measurement) string { return strings.Join(m.Warnings, "; ") }),
	// The open loop (--rate): the schedule asked for and kept, and latency from each request's intended time.
	setup("rate", "1/s", "reads per second asked for by --rate (the open loop: each request issued at its intended time), 0 for the closed loop", func(r *Row) *float64 { return &r.Rate }, func(s *Setup) float64 { return s.Rate }).config(),
	setup("arrival", "", "the open loop's arrival process (--arrival): poisson or uniform; empty for the closed loop", func(r *Row) *string { return &r.Arrival }, func(s *Setup) string { return s.Arrival }).config(),
	setup("lat_target_us", "µs", "the latency target an open-loop row's knee is judged against (--lat-target, default 1 ms: the highest rate whose lat_intended_p99_us stays under it); 0 for the closed loop", func(r *Row) *float64 { return &r.LatTarget }, func(s *Setup) float64 { return s.LatTarget }),
	metricValue("offered_iops", "1/s", "the schedule achieved: requests that arrived in the measured phase per second (the open loop)", func(m *Measurement) float64 { return m.OfferedIOPS }).higher().when(open),
	metricValue("lat_intended_mean_us", "µs", "mean latency from each request's intended time to its completion: what the application waits, its time behind schedule included (the open loop)", func(m *Measurement) float64 { return m.LatIntended.Mean() / 1e3 }).lower().when(openCompleted),
	metricValue("lat_intended_p50_us", "µs", "median of the same", func(m *Measurement) float64 { return pct(m.LatIntended, 50) }).lower().when(openCompleted),
	metricValue("lat_intended_p99_us", "µs", "99th percentile of the same", func(m *Measurement) float64 { return pct(m.LatIntended, 99) }).lower().when(openCompleted),
	metricValue("lat_intended_p999_us", "µs", "99.9th percentile of the same", func(m *Measurement) float64 { return pct(m.LatIntended, 99.9) }).lower().when(openCompleted),
	metricValue("lat_intended_max_us", "µs", "maximum of the same", func(m *Measurement) float64 { return hmax(m.LatIntended) }).lower().when(openCompleted),
	metricValue("behind_p99_us", "µs", "99th percentile of how far behind its intended time a request was submitted: the issuer's own error at a rate the engine sustains, the queue for a slot beyond it (the open loop)", func(m *Measurement) float64 { return pct(m.Behind, 99) }).lower().when(openCompleted),
	metricValue("backlog_max", "", "the most requests due and waiting for a slot at once (--iodepth in flight): the open loop's queue; arrivals beyond 65536 a job are dropped", func(m *Measurement) float64 { return float64(m.BacklogMax) }).lower().when(open),
	metricValue("dropped", "", "arrivals dropped because the open loop's queue was full: the engine did not keep up", func(m *Measurement) float64 { return float64(m.Dropped) }).lower().when(open),
	// What was read.
	measured("target", "", "what was read: data (aiobench's own data file), file (an existing file, --file), device or loop (a block device, --file)", func(r *Row) *string { return &r.Target }, func(m *Measurement) string { return m.Target.Kind }),
	measured("fs", "", "the file system holding the target (ext4, xfs, btrfs, tmpfs …); empty for a block device read raw", func(r *Row) *string { return &r.FS }, func(m *Measurement) string { return m.Target.FS }),
	measured("mount_opts", "", "the target's mount options that change how it is read (ro, noatime, relatime, nodiratime, dax), comma-separated", func(r *Row) *string { return &r.MountOpts }, func(m *Measurement) string { return m.Target.MountOpts }),
	measured("scheduler", "", "the I/O scheduler of the target's block device (none, mq-deadline, bfq, kyber); empty without one", func(r *Row) *string { return &r.Scheduler }, func(m *Measurement) string { return m.Target.Scheduler }),
	metricValue("read_ahead_kb", "KiB", "the read_ahead_kb of the target's block device", func(m *Measurement) float64 { return float64(m.Target.ReadAheadKB) }).when(readAheadKnown),
	// Hits and misses apart (a partly cached run: --resident, a skewed --random order).
	measured("class_mode", "", "how requests were classified hit or miss: resident (cold --resident in perm order: the harness knows which pages it made resident, a bit per page), sampled (mincore on a seeded sample of requests just before Submit, as often as keeps its cost under 1% of the run's time), empty (not classified: all hits or all misses)", func(r *Row) *string { return &r.ClassMode }, func(m *Measurement) string {
		if m.Classes == nil {
			return ""
		}
		return m.Classes.Mode
	}),
	metricValue("classified", "", "requests of the measured phase given a class (all of them with class_mode resident)", func(m *Measurement) float64 { return float64(m.Classes.Classified()) }).when(classified),
	metricValue("hit_pct", "%", "share of the classified requests whose every page was resident when it was chosen (a hit), measured", func(m *Measurement) float64 { return 100 * m.Classes.HitShare() }).when(classified),
	metricValue("partial_pct", "%", "share of the classified requests with some pages resident and some not (a multi-page read; in neither class's latencies)", func(m *Measurement) float64 {
		return 100 * float64(m.Classes.Partials) / float64(m.Classes.Classified())
	}).when(classified),
	metricValue("lat_hit_p50_us", "µs", "median lat (from submission) of the hits", func(m *Measurement) float64 { return pct(m.Classes.LatHit, 50) }).lower().when(hitsKnown),
	metricValue("lat_hit_p99_us", "µs", "99th percentile of the same", func(m *Measurement) float64 { return pct(m.Classes.LatHit, 99) }).lower().when(hitsKnown),
	metricValue("lat_hit_p999_us", "µs", "99.9th percentile of the same", func(m *Measurement) float64 { return pct(m.Classes.LatHit, 99.9) }).lower().when(hitsKnown),
	metricValue("lat_miss_p50_us", "µs", "median lat (from submission) of the misses", func(m *Measurement) float64 { return pct(m.Classes.LatMiss, 50) }).lower().when(missesKnown),
	metricValue("lat_miss_p99_us", "µs", "99th percentile of the same", func(m *Measurement) float64 { return pct(m.Classes.LatMiss, 99) }).lower().when(missesKnown),
	metricValue("lat_miss_p999_us", "µs", "99.9th percentile of the same", func(m *Measurement) float64 { return pct(m.Classes.LatMiss, 99.9) }).lower().when(missesKnown),
	metricValue("lat_intended_hit_p50_us", "µs", "median latency from the intended time of the hits (the open loop)", func(m *Measurement) float64 { return pct(m.Classes.LatIntendedHit, 50) }).lower().when(openHits),
	metricValue("lat_intended_hit_p99_us", "µs", "99th percentile of the same", func(m *Measurement) float64 { return pct(m.Classes.LatIntendedHit, 99) }).lower().when(openHits),
	metricValue("lat_intended_miss_p50_us", "µs", "median latency from the intended time of the misses (the open loop)", func(m *Measurement) float64 { return pct(m.Classes.LatIntendedMiss, 50) }).lower().when(openMisses),
	metricValue("lat_intended_miss_p99_us", "µs", "99th percentile of the same", func(m *Measurement) float64 { return pct(m.Classes.LatIntendedMiss, 99) }).lower().when(openMisses),
	label("duel", "", "the duel this row is an arm of (syncfirst's \"retry-vs-sync\", ab's \"ab\"); empty for an ordinary run. Rows of a duel never match rows of runs", func(r *Row) *string { return &r.Duel }, func(l *Labels) string { return l.Duel }).config(),
}

// KeyColumns are the columns a file must have to be read: a row's configuration.
var KeyColumns = []string{"engine", "workload", "bs", "iodepth", "jobs", "cache"}
