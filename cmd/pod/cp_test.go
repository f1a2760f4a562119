package main

import "testing"

func TestSplitCpArg(t *testing.T) {
	tests := []struct{ arg, ctr, path string }{
		{"web:/etc/hostname", "web", "/etc/hostname"},
		{"web:relative", "web", "relative"},
		{"web:", "web", ""},
		{"/abs/with:colon", "", "/abs/with:colon"},
		{"./rel:colon", "", "./rel:colon"},
		{"file.txt", "", "file.txt"},
		{"-", "", "-"},
		{"abc123:/a:b", "abc123", "/a:b"},
	}
	for _, tt := range tests {
		ctr, p := splitCpArg(tt.arg)
		if ctr != tt.ctr || p != tt.path {
			t.Errorf("splitCpArg(%q) = %q, %q; want %q, %q", tt.arg, ctr, p, tt.ctr, tt.path)
		}
	}
}
