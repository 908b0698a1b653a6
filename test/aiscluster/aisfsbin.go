package aiscluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BuildAisfs builds the aisfs command into a temp dir, for tests that serve a mount from its
// own process as users run it. cleanup removes the binary; pass it to Main.
func BuildAisfs() (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "aisfs-bin-")
	if err != nil {
		return "", nil, err
	}
	bin = filepath.Join(dir, "aisfs")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/aisfs/aisfs/cmd/aisfs").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("build aisfs: %v\n%s", err, out)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// MainWithAisfs is Main for a package whose tests run the aisfs binary, as users do: it builds
// the binary once into *bin first, and removes it at the end.
func MainWithAisfs(m *testing.M, bin *string) {
	b, cleanup, err := BuildAisfs()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*bin = b
	Main(m, cleanup)
}
