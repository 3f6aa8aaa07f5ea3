// Package memcg runs the process inside a memory cgroup of its own for a while, so that the
// kernel's reclaim, not the file's size, sets how much of a data file the page cache holds
// (--cache-limit): a database in a container sees exactly this. cgroup v2 (memory.max) is used
// where its memory controller is available, else cgroup v1's memory controller
// (memory.limit_in_bytes), as on machines that mount only v1's. The group is made under the
// process's own cgroup (a delegated subtree works, root anywhere), the whole process is moved
// into it while a run reads and moved back after, and the group is removed.
package memcg

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Alternative is what a user without the rights can run instead.
const Alternative = "systemd-run --scope -p MemoryMax=SIZE aiobench ... (without --cache-limit)"

// A hierarchy is where the memory controller is: the directory of the process's own cgroup in it.
type hierarchy struct {
	v2  bool
	own string // the process's cgroup directory
}

// find locates the memory controller and the process's cgroup in it.
func find() (*hierarchy, error) {
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("read /proc/self/mountinfo: %w", err)
	}
	own, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("read /proc/self/cgroup: %w", err)
	}
	var v1Path, v2Path string
	for _, l := range strings.Split(string(own), "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			v2Path = parts[2]
		case hasItem(parts[1], "memory"):
			v1Path = parts[2]
		}
	}
	var v1Mount, v2Mount, v1Root, v2Root string
	sc := bufio.NewScanner(strings.NewReader(string(mounts)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		sep := indexOf(f, "-")
		if sep < 0 || len(f) < sep+4 || len(f) < 5 {
			continue
		}
		switch fstype, opts := f[sep+1], f[sep+3]; {
		case fstype == "cgroup2" && v2Mount == "":
			v2Mount, v2Root = f[4], f[3]
		case fstype == "cgroup" && hasItem(opts, "memory"):
			v1Mount, v1Root = f[4], f[3]
		}
	}
	if v2Mount != "" && v2Path != "" {
		if c, err := os.ReadFile(filepath.Join(v2Mount, "cgroup.controllers")); err == nil && hasWord(string(c), "memory") {
			return &hierarchy{v2: true, own: join(v2Mount, v2Root, v2Path)}, nil
		}
	}
	if v1Mount != "" && v1Path != "" {
		return &hierarchy{own: join(v1Mount, v1Root, v1Path)}, nil
	}
	return nil, errors.New("no memory controller: cgroup v2's memory is not enabled and no cgroup v1 memory hierarchy is mounted")
}

func join(mount, root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = path
	}
	return filepath.Join(mount, rel)
}

func hasItem(list, item string) bool {
	for _, s := range strings.Split(list, ",") {
		if s == item {
			return true
		}
	}
	return false
}

func hasWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w {
			return true
		}
	}
	return false
}

func indexOf(f []string, s string) int {
	for i, v := range f {
		if v == s {
			return i
		}
	}
	return -1
}

// Check says whether a group can be made here, before any work starts: the memory controller
// and write access to the process's own cgroup. Its error names what is missing.
func Check() (string, error) {
	h, err := find()
	if err != nil {
		return "", err
	}
	if err := unix.Access(h.own, unix.W_OK); err != nil {
		return "", fmt.Errorf("cannot make a cgroup under %s: %w (root or a delegated cgroup is needed)", h.own, err)
	}
	return h.version(), nil
}

func (h *hierarchy) version() string {
	if h.v2 {
		return "v2"
	}
	return "v1"
}

// A Group is a memory cgroup the process is in while a run reads.
type Group struct {
	h       *hierarchy
	dir     string
	entered bool
}

// New makes a group limited to limit bytes under the process's cgroup.
func New(limit int64) (*Group, error) {
	h, err := find()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(h.own, fmt.Sprintf("aiobench-%d", os.Getpid()))
	if h.v2 {
		// The parent must hand the memory controller down to its children.
		if err := os.WriteFile(filepath.Join(h.own, "cgroup.subtree_control"), []byte("+memory"), 0); err != nil {
			return nil, fmt.Errorf("enable memory in %s/cgroup.subtree_control: %w", h.own, err)
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make cgroup %s: %w", dir, err)
	}
	g := &Group{h: h, dir: dir}
	file, value := "memory.limit_in_bytes", strconv.FormatInt(limit, 10)
	if h.v2 {
		file = "memory.max"
	}
	if err := os.WriteFile(filepath.Join(dir, file), []byte(value), 0); err != nil {
		_ = g.Remove()
		return nil, fmt.Errorf("set %s/%s to %s: %w", dir, file, value, err)
	}
	return g, nil
}

// Version is v1 or v2.
func (g *Group) Version() string { return g.h.version() }

// Enter moves the whole process into the group: pages it reads from now on are charged to it.
func (g *Group) Enter() error {
	if err := writeProcs(g.dir); err != nil {
		return err
	}
	g.entered = true
	return nil
}

// Leave moves the process back to the cgroup it came from.
func (g *Group) Leave() error {
	if !g.entered {
		return nil
	}
	if err := writeProcs(g.h.own); err != nil {
		return err
	}
	g.entered = false
	return nil
}

func writeProcs(dir string) error {
	p := filepath.Join(dir, "cgroup.procs")
	if err := os.WriteFile(p, []byte(strconv.Itoa(os.Getpid())), 0); err != nil {
		return fmt.Errorf("move the process into %s: %w", dir, err)
	}
	return nil
}

// Usage is the memory charged to the group now (page cache included), in bytes.
func (g *Group) Usage() (int64, error) {
	file := "memory.usage_in_bytes"
	if g.h.v2 {
		file = "memory.current"
	}
	b, err := os.ReadFile(filepath.Join(g.dir, file))
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// Remove leaves the group if the process is in it and removes it; its page cache is handed to
// the parent by the kernel.
func (g *Group) Remove() error {
	if g == nil || g.dir == "" {
		return nil
	}
	err := g.Leave()
	if rerr := unix.Rmdir(g.dir); rerr != nil && !errors.Is(rerr, unix.ENOENT) {
		err = errors.Join(err, fmt.Errorf("remove cgroup %s: %w", g.dir, rerr))
	}
	g.dir = ""
	return err
}
