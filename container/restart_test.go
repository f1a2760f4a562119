package container

import (
	"testing"
	"time"
)

func TestParseRestartPolicy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want RestartPolicy
		ok   bool
	}{
		{"", RestartPolicy{Name: "no"}, true},
		{"no", RestartPolicy{Name: "no"}, true},
		{"always", RestartPolicy{Name: "always"}, true},
		{"unless-stopped", RestartPolicy{Name: "unless-stopped"}, true},
		{"on-failure", RestartPolicy{Name: "on-failure"}, true},
		{"on-failure:5", RestartPolicy{Name: "on-failure", MaxRetries: 5}, true},
		{"on-failure:0", RestartPolicy{Name: "on-failure"}, true},
		{"on-failure:-1", RestartPolicy{}, false},
		{"on-failure:x", RestartPolicy{}, false},
		{"always:3", RestartPolicy{}, false},
		{"no:1", RestartPolicy{}, false},
		{"sometimes", RestartPolicy{}, false},
	} {
		got, err := ParseRestartPolicy(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseRestartPolicy(%q) = %+v, %v; want %+v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if s := (RestartPolicy{Name: "on-failure", MaxRetries: 5}).String(); s != "on-failure:5" {
		t.Errorf("String() = %q", s)
	}
	if s := (RestartPolicy{}).String(); s != "no" {
		t.Errorf("String() of the zero policy = %q", s)
	}
}

func TestShouldRestart(t *testing.T) {
	for _, tc := range []struct {
		policy         string
		code, restarts int
		stoppedByUser  bool
		want           bool
	}{
		{"no", 1, 0, false, false},
		{"no", 0, 0, false, false},
		{"always", 0, 0, false, true},
		{"always", 1, 100, false, true},
		{"always", 137, 0, true, false},
		{"unless-stopped", 0, 3, false, true},
		{"unless-stopped", 143, 0, true, false},
		{"on-failure", 0, 0, false, false},
		{"on-failure", 1, 0, false, true},
		{"on-failure", 1, 1000, false, true},
		{"on-failure:3", 2, 2, false, true},
		{"on-failure:3", 2, 3, false, false},
		{"on-failure:3", 0, 0, false, false},
		{"on-failure:3", 1, 0, true, false},
	} {
		p, err := ParseRestartPolicy(tc.policy)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.ShouldRestart(tc.code, tc.restarts, tc.stoppedByUser); got != tc.want {
			t.Errorf("%s.ShouldRestart(exit %d, %d restarts, stopped=%v) = %v, want %v", tc.policy, tc.code, tc.restarts, tc.stoppedByUser, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	ms := time.Millisecond
	want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 6400 * ms, 12800 * ms, 25600 * ms, 51200 * ms, time.Minute, time.Minute}
	for i, w := range want {
		if got := Backoff(i, time.Second); got != w {
			t.Errorf("Backoff(%d, 1s) = %v, want %v", i, got, w)
		}
	}
	if got := Backoff(1000, time.Second); got != time.Minute {
		t.Errorf("Backoff(1000) = %v, want the cap", got)
	}
	// A run of 10 s or more resets the delay.
	for _, ran := range []time.Duration{10 * time.Second, time.Hour} {
		if got := Backoff(7, ran); got != 100*ms {
			t.Errorf("Backoff(7, %v) = %v, want 100ms", ran, got)
		}
	}
	if got := Backoff(3, 9*time.Second); got != 800*ms {
		t.Errorf("Backoff(3, 9s) = %v, want 800ms", got)
	}
}
