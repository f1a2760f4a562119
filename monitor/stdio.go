package monitor

import (
	"io"
	"os"
	"sync"

	"github.com/pod-project/pod/monitor/protocol"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// outputs fans a container's output out to its log, the attached user's
// stdout and stderr (the CLI of an attached run), and attach clients.
type outputs struct {
	mu      sync.Mutex
	log     *LogWriter
	logs    map[string]io.Writer
	user    map[string]*os.File
	clients map[*attachClient]struct{}
}

func newOutputs(lw *LogWriter, stdout, stderr *os.File) *outputs {
	o := &outputs{log: lw, logs: map[string]io.Writer{}, user: map[string]*os.File{}, clients: map[*attachClient]struct{}{}}
	if lw != nil {
		o.logs["stdout"], o.logs["stderr"] = lw.Stream("stdout"), lw.Stream("stderr")
	}
	if stdout != nil {
		o.user["stdout"] = stdout
	}
	if stderr != nil {
		o.user["stderr"] = stderr
	}
	return o
}

// copyFrom copies r (a pipe or the PTY master) as stream to its end.
func (o *outputs) copyFrom(stream string, r io.Reader) {
	buf := make([]byte, 16<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			o.write(stream, buf[:n])
		}
		if err != nil {
			return
		}
	}
}

func (o *outputs) write(stream string, p []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if w := o.logs[stream]; w != nil {
		_, _ = w.Write(p)
	}
	if f := o.user[stream]; f != nil {
		if _, err := f.Write(p); err != nil {
			// The attached CLI is gone: log only from now on.
			delete(o.user, stream)
		}
	}
	typ := protocol.FrameStdout
	if stream == "stderr" {
		typ = protocol.FrameStderr
	}
	for c := range o.clients {
		c.send(typ, p)
	}
}

func (o *outputs) addClient(c *attachClient) {
	o.mu.Lock()
	o.clients[c] = struct{}{}
	o.mu.Unlock()
}

func (o *outputs) removeClient(c *attachClient) {
	o.mu.Lock()
	delete(o.clients, c)
	o.mu.Unlock()
}

// dropUser stops writing to the attached CLI's stdio.
func (o *outputs) dropUser() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for k, f := range o.user {
		f.Close()
		delete(o.user, k)
	}
}

func (o *outputs) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.log != nil {
		_ = o.log.Close()
		o.log = nil
		o.logs = map[string]io.Writer{}
	}
}

// inputs is where a container's stdin comes from: the attached user's
// stdin (handed to the runtime as it is), or, for a detached container
// with -i, a pipe (or the PTY) that attach clients write to.
type inputs struct {
	mu          sync.Mutex
	interactive bool
	user        *os.File
	// sizeFrom are the user's terminal fds a PTY takes its size from.
	sizeFrom []*os.File
	pipeW    *os.File
	// open are the monitor's copies of what the runtime got, closed once
	// it started.
	open   []*os.File
	master *os.File
	copyIn sync.Once
}

func newInputs(interactive bool, user *os.File, sizeFrom ...*os.File) *inputs {
	in := &inputs{interactive: interactive, user: user}
	for _, f := range append([]*os.File{user}, sizeFrom...) {
		if f != nil && term.IsTerminal(int(f.Fd())) {
			in.sizeFrom = append(in.sizeFrom, f)
		}
	}
	return in
}

// containerStdin is the file the runtime passes to the container as stdin.
func (in *inputs) containerStdin() (*os.File, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.interactive && in.user != nil {
		return in.user, nil
	}
	if !in.interactive {
		f, err := os.Open(os.DevNull)
		if err != nil {
			return nil, err
		}
		in.open = append(in.open, f)
		return f, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	if in.pipeW != nil {
		in.pipeW.Close()
	}
	in.pipeW = w
	in.open = append(in.open, r)
	return r, nil
}

// started closes the monitor's copies of what the runtime inherited.
func (in *inputs) started() {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, f := range in.open {
		f.Close()
	}
	in.open = nil
}

// attachTerminal makes master the container's input; an attached user's
// stdin is copied to it.
func (in *inputs) attachTerminal(master *os.File) {
	in.mu.Lock()
	in.master = master
	user := in.user
	in.mu.Unlock()
	if user != nil && in.interactive {
		in.copyIn.Do(func() {
			go func() {
				buf := make([]byte, 4096)
				for {
					n, err := user.Read(buf)
					if n > 0 && in.hasUser(user) {
						_, _ = in.Write(buf[:n])
					}
					if err != nil {
						// End of input: the terminal's end-of-file, as a user
						// would; not once the user detached.
						if in.hasUser(user) {
							_, _ = in.Write([]byte{4})
						}
						return
					}
				}
			}()
		})
	}
}

func (in *inputs) detachTerminal() {
	in.mu.Lock()
	in.master = nil
	in.mu.Unlock()
}

// Write passes input from the user or an attach client to the container.
func (in *inputs) Write(p []byte) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	switch {
	case in.master != nil:
		return in.master.Write(p)
	case in.pipeW != nil:
		return in.pipeW.Write(p)
	}
	return len(p), nil
}

// closeStdin ends a detached container's piped stdin.
func (in *inputs) closeStdin() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.pipeW != nil {
		in.pipeW.Close()
		in.pipeW = nil
	}
}

// resizeFromUser gives master the size of the attached user's terminal.
func (in *inputs) resizeFromUser(master *os.File) {
	in.mu.Lock()
	from := in.sizeFrom
	in.mu.Unlock()
	for _, f := range from {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil {
			_ = unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, ws)
			return
		}
	}
}

// resize sets the PTY's size for an attach client.
func (in *inputs) resize(rows, cols uint16) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.master != nil && rows > 0 && cols > 0 {
		_ = unix.IoctlSetWinsize(int(in.master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
	}
}

// hasUser: f is still the attached user's input.
func (in *inputs) hasUser(f *os.File) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.user == f
}

// dropUser forgets the attached CLI's stdin.
func (in *inputs) dropUser() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.user, in.sizeFrom = nil, nil
}
