package main

import (
	"os"
	"testing"

	"github.com/jailc/jailc/runtime"
)

func TestMain(m *testing.M) {
	runtime.Stage() // jailc run re-executes this test binary for the sandbox stages
	os.Exit(m.Run())
}
