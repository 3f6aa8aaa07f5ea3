package ab

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// replyTimeout bounds the wait for one reply of a serving arm: a block is milliseconds, writing
// a row is a moment; a peer silent this long is stuck, and the comparison fails rather than
// hang.
const replyTimeout = time.Minute

// ErrNotAiobench is wrapped when a binary does not answer the version handshake as an aiobench
// build that speaks Protocol.
var ErrNotAiobench = errors.New("not an aiobench build with ab support")

// Version is what `aiobench version --json` prints.
type Version struct {
	Aiobench string `json:"aiobench"`
	Go       string `json:"go"`
	Protocol int    `json:"ab_protocol"`
}

// Handshake runs `bin version --json` and checks that it is an aiobench build speaking Protocol.
func Handshake(ctx context.Context, bin string) (Version, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var v Version
	out, err := exec.CommandContext(ctx, bin, "version", "--json").Output()
	if err != nil {
		return v, fmt.Errorf("%s: %w (version --json: %v)", bin, ErrNotAiobench, err)
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &v); err != nil || v.Aiobench == "" {
		return v, fmt.Errorf("%s: %w (version --json printed %.40q)", bin, ErrNotAiobench, out)
	}
	if v.Protocol < MinProtocol || v.Protocol > Protocol {
		return v, fmt.Errorf("%s: %w: it speaks ab protocol %d, this aiobench %d to %d", bin, ErrNotAiobench, v.Protocol, MinProtocol, Protocol)
	}
	return v, nil
}

// A peer is a running `aiobench serve-arm`.
type peer struct {
	name   string
	cmd    *exec.Cmd
	in     io.WriteCloser
	lines  chan string
	stderr lockedBuffer
}

// lockedBuffer is a buffer that the process's stderr copier writes while an error message may
// read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startPeer starts bin serving one arm with args, sends it first (its arm line, when not
// empty) and waits for it to be ready.
func startPeer(ctx context.Context, name, bin string, args []string, first string, inherit func(*exec.Cmd)) (*peer, error) {
	p := &peer{name: name, lines: make(chan string, 1)}
	p.cmd = exec.CommandContext(ctx, bin, append([]string{"serve-arm"}, args...)...)
	if inherit != nil {
		inherit(p.cmd)
	}
	p.cmd.Stderr = &p.stderr
	var err error
	if p.in, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s (%s): %w", name, bin, err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20) // a config answer carries a whole configuration
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	if first != "" {
		if _, err := fmt.Fprintln(p.in, first); err != nil {
			p.stop()
			return nil, fmt.Errorf("%s: send its arm: %w%s", name, err, p.said())
		}
	}
	if _, err := p.reply(ctx, "ready"); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// call sends one command and returns the fields after "ok".
func (p *peer) call(ctx context.Context, cmd string) ([]string, error) {
	if _, err := fmt.Fprintln(p.in, cmd); err != nil {
		return nil, fmt.Errorf("%s: send %q: %w%s", p.name, cmd, err, p.said())
	}
	return p.reply(ctx, "ok")
}

// reply waits for the peer's next line, which must start with want.
func (p *peer) reply(ctx context.Context, want string) ([]string, error) {
	t := time.NewTimer(replyTimeout)
	defer t.Stop()
	select {
	case line, ok := <-p.lines:
		if !ok {
			return nil, fmt.Errorf("%s: exited before answering%s", p.name, p.said())
		}
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != want {
			return nil, fmt.Errorf("%s: %s", p.name, strings.TrimPrefix(line, "err "))
		}
		return f[1:], nil
	case <-t.C:
		return nil, fmt.Errorf("%s: no answer in %v", p.name, replyTimeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// said is the peer's stderr, for an error message.
func (p *peer) said() string {
	if s := strings.TrimSpace(p.stderr.String()); s != "" {
		return ": " + strings.ReplaceAll(s, "\n", " ")
	}
	return ""
}

// stop asks the peer to quit and waits for it; a peer that does not quit is killed.
func (p *peer) stop() {
	fmt.Fprintln(p.in, "quit")
	p.in.Close()
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}
