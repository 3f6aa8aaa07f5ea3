package uring

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Registration (io_uring_register(2)): fixed files and fixed buffers as sparse tables filled
// when a file or buffer is first seen (the engines learn them from requests, not up front),
// and the probe of supported opcodes.

const (
	registerFiles         = 2
	registerFilesUpdate   = 6
	registerProbe         = 8
	registerBuffers2      = 15
	registerBuffersUpdate = 16
	rsrcRegisterSparse    = 1 << 0
	opSupported           = 1 << 0
)

type rsrcRegister struct {
	Nr, Flags uint32
	Resv2     uint64
	Data      uint64
	Tags      uint64
}

type rsrcUpdate2 struct {
	Offset, Resv uint32
	Data, Tags   uint64
	Nr, Resv2    uint32
}

type filesUpdate struct {
	Offset, Resv uint32
	Fds          uint64
}

func (r *Ring) register(op uint32, arg unsafe.Pointer, n uint32) (int, error) {
	for {
		v, _, errno := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), uintptr(op), uintptr(arg), uintptr(n), 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return 0, errno
		}
		return int(v), nil
	}
}

// RegisterFileTable registers a table of n empty file slots (IOSQE_FIXED_FILE indexes it).
func (r *Ring) RegisterFileTable(n uint32) error {
	fds := make([]int32, n)
	for i := range fds {
		fds[i] = -1
	}
	if _, err := r.register(registerFiles, unsafe.Pointer(&fds[0]), n); err != nil {
		return fmt.Errorf("uring: register %d file slots: %w", n, err)
	}
	return nil
}

// SetFile puts fd in slot i of the file table.
func (r *Ring) SetFile(i uint32, fd int) error {
	fds := [1]int32{int32(fd)}
	u := filesUpdate{Offset: i, Fds: uint64(uintptr(unsafe.Pointer(&fds[0])))}
	if _, err := r.register(registerFilesUpdate, unsafe.Pointer(&u), 1); err != nil {
		return fmt.Errorf("uring: register fd %d in slot %d: %w", fd, i, err)
	}
	return nil
}

// RegisterBufferTable registers a table of n empty buffer slots (IORING_OP_READ_FIXED's
// buf_index indexes it). Linux 5.13 and later.
func (r *Ring) RegisterBufferTable(n uint32) error {
	reg := rsrcRegister{Nr: n, Flags: rsrcRegisterSparse}
	if _, err := r.register(registerBuffers2, unsafe.Pointer(&reg), uint32(unsafe.Sizeof(reg))); err != nil {
		return fmt.Errorf("uring: register %d buffer slots: %w", n, err)
	}
	return nil
}

// SetBuffer registers buf (its whole capacity) in slot i of the buffer table. The kernel pins
// its pages; the caller keeps buf referenced for as long as it stays registered.
func (r *Ring) SetBuffer(i uint32, buf []byte) error {
	b := buf[:cap(buf)]
	iov := unix.Iovec{Base: unsafe.SliceData(b)}
	iov.SetLen(len(b))
	u := rsrcUpdate2{Offset: i, Data: uint64(uintptr(unsafe.Pointer(&iov))), Nr: 1}
	if _, err := r.register(registerBuffersUpdate, unsafe.Pointer(&u), uint32(unsafe.Sizeof(u))); err != nil {
		return fmt.Errorf("uring: register a %d-byte buffer in slot %d: %w", len(b), i, err)
	}
	return nil
}

// Supports reports whether the kernel offers opcode op (IORING_REGISTER_PROBE, Linux 5.6). An
// error means the kernel cannot say (older than 5.6).
func (r *Ring) Supports(op uint8) (bool, error) {
	// struct io_uring_probe: last_op u8, ops_len u8, resv u16, resv2 [3]u32, then
	// struct io_uring_probe_op {op u8, resv u8, flags u16, resv2 u32} per opcode.
	const ops = 256
	buf := make([]byte, 16+ops*8)
	if _, err := r.register(registerProbe, unsafe.Pointer(&buf[0]), ops); err != nil {
		return false, fmt.Errorf("uring: probe opcodes: %w", err)
	}
	if int(op) > int(buf[0]) {
		return false, nil
	}
	flags := uint16(buf[16+int(op)*8+2]) | uint16(buf[16+int(op)*8+3])<<8
	return flags&opSupported != 0, nil
}
