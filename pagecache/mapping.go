package pagecache

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// A Mapping keeps a file mapped read-only so that the residency of any of its ranges can be
// asked with one mincore(2) call, and nothing else: the mapping is never touched, so it faults
// nothing in and holds no page in memory. It is the sampled classifier's view of the page
// cache (harness: a request's class, hit or miss, just before it is submitted).
type Mapping struct {
	data []byte
	vec  []byte
	page int64
}

// Map maps the first size bytes of fd. maxLen is the longest range Pages will be asked about.
func Map(fd int, size int64, maxLen int) (*Mapping, error) {
	if size <= 0 {
		return nil, fmt.Errorf("map for mincore: empty file")
	}
	data, err := unix.Mmap(fd, 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap for mincore: %w", err)
	}
	page := int64(os.Getpagesize())
	return &Mapping{data: data, vec: make([]byte, int64(maxLen)/page+2), page: page}, nil
}

// Pages returns how many of the pages that the n bytes at off touch are resident, and how many
// they touch. It allocates nothing.
func (m *Mapping) Pages(off int64, n int) (resident, total int, err error) {
	first := off / m.page * m.page
	end := min(off+int64(n), int64(len(m.data)))
	total = int((end - first + m.page - 1) / m.page)
	if total <= 0 || total > len(m.vec) {
		return 0, 0, fmt.Errorf("mincore: range %d+%d outside the mapping", off, n)
	}
	if err := mincore(m.data[first:end], m.vec[:total]); err != nil {
		return 0, 0, fmt.Errorf("mincore: %w", err)
	}
	for _, v := range m.vec[:total] {
		resident += int(v & 1)
	}
	return resident, total, nil
}

// Close unmaps the file.
func (m *Mapping) Close() error {
	if m == nil || m.data == nil {
		return nil
	}
	err := unix.Munmap(m.data)
	m.data = nil
	return err
}
