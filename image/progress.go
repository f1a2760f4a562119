package image

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/docker/go-units"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/types"
	"golang.org/x/term"
)

// progress shows one copy's blobs on w: a bar per blob with bytes, rate
// and ETA on a terminal; one plain line per finished blob otherwise; and
// nothing when w is nil.
type progress struct {
	w     io.Writer
	tty   bool
	ch    chan types.ProgressProperties
	done  chan struct{}
	pool  *mpb.Progress
	bars  map[string]*blobBar
	mu    sync.Mutex
	lines []string // plain lines written, for tests
}

type blobBar struct {
	bar  *mpb.Bar
	size int64
	last time.Time
}

// startProgress attaches a progress display to opts; call finish when
// copy.Image has returned.
func startProgress(w io.Writer, opts *copy.Options) *progress {
	opts.ReportWriter = io.Discard
	if w == nil {
		return nil
	}
	p := &progress{w: w, tty: isTerminal(w), ch: make(chan types.ProgressProperties, 64),
		done: make(chan struct{}), bars: map[string]*blobBar{}}
	if p.tty {
		p.pool = mpb.New(mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithRefreshRate(120*time.Millisecond))
	}
	opts.Progress = p.ch
	opts.ProgressInterval = 100 * time.Millisecond
	go p.run()
	return p
}

// isTerminal reports whether w is a terminal bars can be drawn on (one
// with a width; a 0-column pty gets plain lines).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	return err == nil && cols > 0
}

func (p *progress) run() {
	defer close(p.done)
	for ev := range p.ch {
		p.event(ev)
	}
}

// finish stops the display; ok says whether the copy succeeded (else the
// unfinished bars are dropped).
func (p *progress) finish(ok bool) {
	if p == nil {
		return
	}
	close(p.ch)
	<-p.done
	if p.pool == nil {
		return
	}
	for _, b := range p.bars {
		if !b.bar.Completed() {
			if ok {
				b.bar.SetTotal(-1, true)
			} else {
				b.bar.Abort(false)
			}
		}
	}
	p.pool.Wait()
}

func blobLabel(info types.BlobInfo) string {
	kind := "blob"
	if strings.Contains(info.MediaType, "config") {
		kind = "config"
	}
	return fmt.Sprintf("Copying %s %s", kind, shortDigest(info.Digest.String()))
}

// shortDigest is "sha256:" and 12 hex, as the bars show it.
func shortDigest(d string) string {
	if _, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return hex[:12]
	}
	return d
}

func (p *progress) event(ev types.ProgressProperties) {
	key := ev.Artifact.Digest.String()
	label := blobLabel(ev.Artifact)
	if !p.tty {
		switch ev.Event {
		case types.ProgressEventDone:
			p.line(fmt.Sprintf("%s done (%s)", label, units.HumanSizeWithPrecision(float64(ev.Offset), 3)))
		case types.ProgressEventSkipped:
			p.line(label + " skipped: already exists")
		}
		return
	}
	b := p.bars[key]
	switch ev.Event {
	case types.ProgressEventNewArtifact, types.ProgressEventSkipped:
		if b != nil {
			break
		}
		b = &blobBar{size: ev.Artifact.Size, last: time.Now()}
		done := label + " done"
		if ev.Event == types.ProgressEventSkipped {
			done = label + " skipped: already exists"
		}
		b.bar = p.pool.AddBar(max(ev.Artifact.Size, 0),
			mpb.BarFillerClearOnComplete(),
			mpb.PrependDecorators(decor.OnComplete(decor.Name(label), done)),
			mpb.AppendDecorators(
				decor.OnComplete(decor.CountersKibiByte("%.1f / %.1f"), ""),
				decor.OnComplete(decor.Name(" | "), ""),
				decor.OnComplete(decor.EwmaSpeed(decor.SizeB1024(0), "% .1f", 30), ""),
				decor.OnComplete(decor.Name(" | ETA "), ""),
				decor.OnComplete(decor.EwmaETA(decor.ET_STYLE_MMSS, 30), ""),
			))
		p.bars[key] = b
		if ev.Event == types.ProgressEventSkipped {
			b.bar.SetTotal(-1, true)
		}
	case types.ProgressEventRead:
		if b != nil {
			now := time.Now()
			b.bar.EwmaIncrInt64(int64(ev.OffsetUpdate), now.Sub(b.last))
			b.last = now
		}
	case types.ProgressEventDone:
		if b != nil {
			b.bar.SetTotal(-1, true)
		}
	}
}

func (p *progress) line(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lines = append(p.lines, s)
	fmt.Fprintln(p.w, s)
}
