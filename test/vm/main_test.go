package vm

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// The tests of this package share one VM (Shared), booted by the first
// test that asks for it; they run one after another.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("vm: skipped in -short mode")
		os.Exit(0)
	}
	os.Exit(Main(m, Options{}))
}
