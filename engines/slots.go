package engines

// Slots is a table of an engine's requests in flight by a small number that the kernel carries
// for it (an io_uring entry's user_data, an iocb's data), as fio's io_u->index: Put gives a free
// slot, Take frees it. One goroutine uses it (the Reader's driving one); it never allocates
// after NewSlots.
type Slots[T any] struct {
	items []T
	used  []bool
	free  []uint32
}

// NewSlots returns a table of n slots.
func NewSlots[T any](n int) *Slots[T] {
	s := &Slots[T]{items: make([]T, n), used: make([]bool, n), free: make([]uint32, 0, n)}
	for i := n - 1; i >= 0; i-- {
		s.free = append(s.free, uint32(i))
	}
	return s
}

// Put stores v in a free slot and returns it; false when every slot is in use.
func (s *Slots[T]) Put(v T) (uint32, bool) {
	if len(s.free) == 0 {
		return 0, false
	}
	i := s.free[len(s.free)-1]
	s.free = s.free[:len(s.free)-1]
	s.items[i], s.used[i] = v, true
	return i, true
}

// Get returns the value in slot i; false when i is not in use (a completion the engine never
// asked for).
func (s *Slots[T]) Get(i uint64) (T, bool) {
	var zero T
	if i >= uint64(len(s.items)) || !s.used[i] {
		return zero, false
	}
	return s.items[i], true
}

// Take returns the value in slot i and frees the slot; false when i is not in use.
func (s *Slots[T]) Take(i uint64) (T, bool) {
	v, ok := s.Get(i)
	if ok {
		var zero T
		s.items[i], s.used[i] = zero, false
		s.free = append(s.free, uint32(i))
	}
	return v, ok
}

// Free is the number of free slots.
func (s *Slots[T]) Free() int { return len(s.free) }

// Len is the number of slots.
func (s *Slots[T]) Len() int { return len(s.items) }

// InUse is the number of slots in use.
func (s *Slots[T]) InUse() int { return len(s.items) - len(s.free) }
