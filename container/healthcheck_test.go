package container

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestHealthArgv(t *testing.T) {
	for _, tc := range []struct {
		test []string
		want []string
		ok   bool
	}{
		{nil, nil, true},
		{[]string{"NONE"}, nil, true},
		{[]string{"CMD", "curl", "-f", "x"}, []string{"curl", "-f", "x"}, true},
		{[]string{"CMD-SHELL", "test -f /ok"}, []string{"/bin/sh", "-c", "test -f /ok"}, true},
		{[]string{"CMD"}, nil, false},
		{[]string{"CMD-SHELL"}, nil, false},
		{[]string{"curl"}, nil, false},
	} {
		got, err := HealthArgv(tc.test)
		if (err == nil) != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("HealthArgv(%q) = %q, %v; want %q ok=%v", tc.test, got, err, tc.want, tc.ok)
		}
	}
}

func TestEffectiveHealth(t *testing.T) {
	shell := []string{"CMD-SHELL", "true"}
	image := &HealthConfig{Test: []string{"CMD", "check"}, Interval: time.Minute, Retries: 5}
	for _, tc := range []struct {
		name  string
		cfg   *HealthConfig
		image *HealthConfig
		want  *HealthConfig
	}{
		{"none configured", nil, nil, nil},
		{"disabled", &HealthConfig{Test: []string{"NONE"}}, nil, nil},
		{"own test", &HealthConfig{Test: shell, Retries: 2}, nil, &HealthConfig{Test: shell, Retries: 2}},
		{"settings without a test and no image check", &HealthConfig{Interval: time.Second}, nil, nil},
		{"the image's check", nil, image, image},
		{"image check disabled by --no-healthcheck", &HealthConfig{Test: []string{"NONE"}}, image, nil},
		{"own settings over the image's check", &HealthConfig{Interval: time.Second}, image,
			&HealthConfig{Test: []string{"CMD", "check"}, Interval: time.Second, Retries: 5}},
		{"own test over the image's", &HealthConfig{Test: shell}, image, &HealthConfig{Test: shell}},
	} {
		got := EffectiveHealth(&Config{Health: tc.cfg, ImageHealth: tc.image}, &ImageConfig{})
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: EffectiveHealth = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestHealthFromDockerConfig(t *testing.T) {
	raw := `{"architecture":"amd64","config":{"Cmd":["httpd"],"Healthcheck":{"Test":["CMD-SHELL","wget -q localhost"],"Interval":5000000000,"Retries":2}}}`
	h, err := HealthFromDockerConfig([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := &HealthConfig{Test: []string{"CMD-SHELL", "wget -q localhost"}, Interval: 5 * time.Second, Retries: 2}
	if !reflect.DeepEqual(h, want) {
		t.Fatalf("got %+v, want %+v", h, want)
	}
	if h, err := HealthFromDockerConfig([]byte(`{"config":{}}`)); err != nil || h != nil {
		t.Fatalf("no HEALTHCHECK: got %+v, %v", h, err)
	}
}

func TestNextHealth(t *testing.T) {
	started := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := HealthConfig{Retries: 3, StartPeriod: time.Minute}
	probe := func(after time.Duration, code int) HealthLogEntry {
		return HealthLogEntry{Start: started.Add(after), End: started.Add(after), ExitCode: code}
	}
	type step struct {
		after  time.Duration
		code   int
		status string
		streak int
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"failures in the start period do not count", []step{
			{10 * time.Second, 1, "starting", 0}, {20 * time.Second, 1, "starting", 0}, {30 * time.Second, 1, "starting", 0},
			{70 * time.Second, 1, "starting", 1}, {80 * time.Second, 1, "starting", 2}, {90 * time.Second, 1, "unhealthy", 3},
		}},
		{"success in the start period is healthy, then failures count", []step{
			{10 * time.Second, 0, "healthy", 0}, {20 * time.Second, 1, "healthy", 1}, {30 * time.Second, 1, "healthy", 2},
			{40 * time.Second, 1, "unhealthy", 3}, {50 * time.Second, 1, "unhealthy", 4}, {60 * time.Second, 0, "healthy", 0},
		}},
		{"a timeout (-1) is a failure", []step{
			{2 * time.Minute, -1, "starting", 1}, {3 * time.Minute, -1, "starting", 2}, {4 * time.Minute, -1, "unhealthy", 3},
		}},
	} {
		var cur *HealthState
		for i, s := range tc.steps {
			st := nextHealth(cur, started, cfg, probe(s.after, s.code))
			if st.Status != s.status || st.FailingStreak != s.streak {
				t.Fatalf("%s: step %d: status %s streak %d, want %s %d", tc.name, i, st.Status, st.FailingStreak, s.status, s.streak)
			}
			if len(st.Log) != min(i+1, 5) || st.Log[len(st.Log)-1].ExitCode != s.code {
				t.Fatalf("%s: step %d: log %+v", tc.name, i, st.Log)
			}
			cur = &st
		}
	}
}

// testRecord is a container record in a temporary directory, running
// since now.
func testRecord(t *testing.T) *Record {
	t.Helper()
	rec := &Record{Dir: t.TempDir(), Config: Config{Name: "c"}}
	if err := rec.UpdateState(func(s *State) {
		s.Status, s.StartedAt = StatusRunning, time.Now()
	}); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestRunOnce(t *testing.T) {
	rec := testRecord(t)
	var gotArgv []string
	code := 0
	h := NewHealthChecker(rec, HealthConfig{Test: []string{"CMD-SHELL", "check"}, Retries: 2},
		func(ctx context.Context, argv []string) (int, string, error) {
			gotArgv = argv
			return code, "output " + strings.Repeat("x", 5000), nil
		})
	st, err := h.RunOnce(context.Background())
	if err != nil || st.Status != "healthy" {
		t.Fatalf("RunOnce = %+v, %v", st, err)
	}
	if !reflect.DeepEqual(gotArgv, []string{"/bin/sh", "-c", "check"}) {
		t.Fatalf("argv %q", gotArgv)
	}
	if len(st.Log[0].Output) != healthOutputMax {
		t.Fatalf("output not cut at %d bytes: %d", healthOutputMax, len(st.Log[0].Output))
	}
	code = 1
	for _, want := range []string{"healthy", "unhealthy"} {
		if st, _ = h.RunOnce(context.Background()); st.Status != want {
			t.Fatalf("status %s, want %s", st.Status, want)
		}
	}
	// The result is in the record's state, for ps and inspect.
	if rec.State.Health == nil || rec.State.Health.Status != "unhealthy" || rec.State.Health.FailingStreak != 2 {
		t.Fatalf("state health %+v", rec.State.Health)
	}
}

func TestRunOnceTimeoutAndErrors(t *testing.T) {
	rec := testRecord(t)
	h := NewHealthChecker(rec, HealthConfig{Test: []string{"CMD", "sleep"}, Timeout: 20 * time.Millisecond},
		func(ctx context.Context, argv []string) (int, string, error) {
			<-ctx.Done()
			return 137, "", ctx.Err()
		})
	start := time.Now()
	st, err := h.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("the timeout did not stop the probe")
	}
	e := st.Log[0]
	if e.ExitCode != -1 || e.Output != "Health check exceeded timeout (20ms)" || st.FailingStreak != 1 {
		t.Fatalf("timeout entry %+v, state %+v", e, st)
	}
	h = NewHealthChecker(rec, HealthConfig{Test: []string{"CMD", "x"}},
		func(ctx context.Context, argv []string) (int, string, error) {
			return -1, "", errors.New("exec failed")
		})
	if st, err = h.RunOnce(context.Background()); err != nil || st.Log[len(st.Log)-1].Output != "exec failed" || st.FailingStreak != 2 {
		t.Fatalf("a probe that cannot run must count as a failure: %+v, %v", st, err)
	}
	h = NewHealthChecker(rec, HealthConfig{Test: []string{"NONE"}}, nil)
	if _, err := h.RunOnce(context.Background()); !errors.Is(err, ErrNoHealthcheck) {
		t.Fatalf("NONE: %v, want ErrNoHealthcheck", err)
	}
}

func TestHealthLoop(t *testing.T) {
	rec := testRecord(t)
	var mu sync.Mutex
	code := 0
	var probes atomic.Int32
	h := NewHealthChecker(rec, HealthConfig{Test: []string{"CMD", "x"}, Interval: 5 * time.Millisecond, Retries: 2},
		func(ctx context.Context, argv []string) (int, string, error) {
			probes.Add(1)
			mu.Lock()
			defer mu.Unlock()
			return code, "", nil
		})
	ctx, cancel := context.WithCancel(context.Background())
	unhealthy := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		h.Loop(ctx, func(s string) {
			if s == HealthUnhealthy {
				unhealthy <- struct{}{}
			}
		})
		close(done)
	}()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	status := func() string {
		r := &Record{Dir: rec.Dir}
		_ = r.UpdateState(func(*State) {})
		if r.State.Health == nil {
			return ""
		}
		return r.State.Health.Status
	}
	waitFor("healthy", func() bool { return status() == "healthy" })
	select {
	case <-unhealthy:
		t.Fatal("onUnhealthy called while healthy")
	default:
	}
	mu.Lock()
	code = 1
	mu.Unlock()
	waitFor("unhealthy", func() bool { return status() == "unhealthy" })
	<-unhealthy
	n := probes.Load()
	waitFor("more probes", func() bool { return probes.Load() > n+3 })
	select {
	case <-unhealthy:
		t.Fatal("onUnhealthy must be called once per turn to unhealthy")
	default:
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Loop did not return when its context ended")
	}
}
