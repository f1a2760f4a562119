package lifecycle

import "testing"

func TestCommonCgroup(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{"/user.slice/user-1000.slice/session-3.scope", "/user.slice/user-1000.slice/user@1000.service/app.slice/sd.service/pod-x", "/user.slice/user-1000.slice"},
		{"/user.slice/user-1000.slice/user@1000.service/app.slice/run-u1.scope", "/user.slice/user-1000.slice/user@1000.service/app.slice/sd.service/pod-x", "/user.slice/user-1000.slice/user@1000.service/app.slice"},
		{"/a/b", "/a/b/c", "/a/b"},
		{"/a/bc", "/a/b", "/a"},
		{"/", "/a", "/"},
		{"/x", "/y", "/"},
	} {
		if got := commonCgroup(c.a, c.b); got != c.want {
			t.Errorf("commonCgroup(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}
