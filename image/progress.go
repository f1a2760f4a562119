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
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/types"
	"golang.org/x/term"
)

// progress shows one copy's blobs on w: a bar per blob with bytes, rate
// and ETA on a terminal; one plain line per finished blob otherwise; and
// nothing when w is nil. A successful copy ends with "Writing manifest to
// image destination", as Podman prints it.
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
	bar   *mpb.Bar
	meter *meter
}

// newProgress starts a display on w; nil when w is nil. Events go to its
// channel; call finish when they are over.
func newProgress(w io.Writer) *progress {
	if w == nil {
		return nil
	}
	p := &progress{w: w, tty: isTerminal(w), ch: make(chan types.ProgressProperties, 64),
		done: make(chan struct{}), bars: map[string]*blobBar{}}
	if p.tty {
		p.pool = mpb.New(mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithRefreshRate(120*time.Millisecond))
	}
	go p.run()
	return p
}

// startProgress attaches a progress display to opts; call finish when
// copy.Image has returned.
func startProgress(w io.Writer, opts *copy.Options) *progress {
	opts.ReportWriter = io.Discard
	p := newProgress(w)
	if p != nil {
		opts.Progress = p.ch
		opts.ProgressInterval = 100 * time.Millisecond
	}
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
		p.event(ev, time.Now())
	}
}

// skipped reports a blob the destination has already.
func (p *progress) skipped(info types.BlobInfo) {
	if p != nil {
		p.ch <- types.ProgressProperties{Event: types.ProgressEventSkipped, Artifact: info}
	}
}

// copied reports a blob of n bytes copied whole.
func (p *progress) copied(info types.BlobInfo, n int64) {
	if p != nil {
		p.ch <- types.ProgressProperties{Event: types.ProgressEventNewArtifact, Artifact: info}
		p.ch <- types.ProgressProperties{Event: types.ProgressEventDone, Artifact: info, Offset: uint64(n)}
	}
}

// finish stops the display; ok says whether the copy succeeded (else the
// unfinished bars are dropped, and no final line is written).
func (p *progress) finish(ok bool) {
	if p == nil {
		return
	}
	close(p.ch)
	<-p.done
	if p.pool != nil {
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
	if ok {
		p.line("Writing manifest to image destination")
	}
}

// isConfig reports whether a blob of media type mt is an image config:
// OCI's and Docker's ("application/vnd.docker.container.image.v1+json")
// and artifact configs ("...config...").
func isConfig(mt string) bool {
	return mt == manifest.DockerV2Schema2ConfigMediaType || strings.Contains(mt, "config")
}

func blobLabel(info types.BlobInfo) string {
	kind := "blob"
	if isConfig(info.MediaType) {
		kind = "config"
	}
	return fmt.Sprintf("Copying %s %s", kind, shortDigest(info.Digest.String()))
}

// shortDigest is the first 12 hex digits of a digest, as the bars show it.
func shortDigest(d string) string {
	if _, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return hex[:12]
	}
	return d
}

func (p *progress) event(ev types.ProgressProperties, now time.Time) {
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
		size := ev.Artifact.Size
		b = &blobBar{meter: newMeter(now)}
		done := label + " done"
		if ev.Event == types.ProgressEventSkipped {
			done = label + " skipped: already exists"
		}
		m := b.meter
		b.bar = p.pool.AddBar(max(size, 0),
			mpb.BarFillerClearOnComplete(),
			mpb.PrependDecorators(decor.OnComplete(decor.Name(label), done)),
			mpb.AppendDecorators(decor.OnComplete(decor.Any(func(s decor.Statistics) string {
				return transferStatus(s.Current, size, m.rate(time.Now()))
			}), "")))
		p.bars[key] = b
		if ev.Event == types.ProgressEventSkipped {
			b.bar.SetTotal(-1, true)
		}
	case types.ProgressEventRead:
		if b != nil {
			b.meter.add(now, int64(ev.Offset))
			b.bar.SetCurrent(int64(ev.Offset))
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

// transferStatus is what a bar shows after itself: bytes done (of size,
// when known), the rate, and the time left at that rate.
func transferStatus(current, size int64, rate float64) string {
	s := fmt.Sprintf("% .1f", decor.SizeB1024(current))
	if size > 0 {
		s += fmt.Sprintf(" / % .1f", decor.SizeB1024(size))
	}
	if rate <= 0 {
		return s
	}
	s += fmt.Sprintf(" | % .1f/s", decor.SizeB1024(int64(rate)))
	if size > current {
		s += " | ETA " + clock(time.Duration(float64(size-current)/rate*float64(time.Second)))
	}
	return s
}

// clock formats d as M:SS, or H:MM:SS from an hour on.
func clock(d time.Duration) string {
	sec := int64(d.Round(time.Second) / time.Second)
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

// meter measures a blob's transfer rate over the last rateWindow: bytes
// moved since the oldest sample in the window, over the time since then
// (so a stalled transfer's rate falls). A rate from per-event durations
// per byte would be ruled by the slowest events, which carry a few bytes
// at the end of a burst.
type meter struct {
	mu      sync.Mutex
	samples []rateSample // oldest first; the first is the base
}

type rateSample struct {
	at     time.Time
	offset int64
}

const rateWindow = 3 * time.Second

func newMeter(start time.Time) *meter {
	return &meter{samples: []rateSample{{at: start}}}
}

// add records that offset bytes were done at now.
func (m *meter) add(now time.Time, offset int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.samples = append(m.samples, rateSample{at: now, offset: offset})
	// Keep one sample at or before the window's start as the base.
	for len(m.samples) > 2 && now.Sub(m.samples[1].at) >= rateWindow {
		m.samples = m.samples[1:]
	}
}

// rate is the bytes per second over the window up to now; 0 before any
// progress.
func (m *meter) rate(now time.Time) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	base, last := m.samples[0], m.samples[len(m.samples)-1]
	dt := now.Sub(base.at).Seconds()
	if len(m.samples) < 2 || dt <= 0 {
		return 0
	}
	return float64(last.offset-base.offset) / dt
}
