package aiscluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

const modulePath = "github.com/aisfs/aisfs"

// AISNodeBinary returns the aisnode binary to run: $AISNODE if set, else
// <repo>/.bin/aisnode, building it first (inside <repo>/tools/aisnode, a few
// minutes the first time) when it is missing. Concurrent callers, in this
// process or in other test binaries, build it once.
func AISNodeBinary(ctx context.Context) (string, error) {
	if p := os.Getenv("AISNODE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("aiscluster: $AISNODE: %w", err)
		}
		return p, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, ".bin", "aisnode")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	unlock, err := lockFile(ctx, bin+".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(bin); err == nil {
		return bin, nil // another process built it while we waited
	}
	if err := buildAISNode(ctx, filepath.Join(root, "tools", "aisnode"), bin); err != nil {
		return "", err
	}
	return bin, nil
}

// buildAISNode builds into a temp file and renames it, so nobody ever runs
// a half-written binary.
func buildAISNode(ctx context.Context, moduleDir, bin string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go"
	}
	tmp := fmt.Sprintf("%s.tmp%d", bin, os.Getpid())
	defer os.Remove(tmp)
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", tmp, "github.com/NVIDIA/aistore/cmd/aisnode")
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b := out.Bytes()
		b = b[max(0, len(b)-tailBytes):]
		return fmt.Errorf("aiscluster: build aisnode in %s: %w\n%s", moduleDir, err, b)
	}
	return os.Rename(tmp, bin)
}

// lockFile takes an exclusive flock, polling so that ctx can end the wait.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil // closing releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("aiscluster: lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("aiscluster: waiting for another aisnode build: %w", ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

// repoRoot finds the aisfs module root: from this source file when the
// build kept its path (no -trimpath), else from the working directory.
func repoRoot() (string, error) {
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			if isModuleRoot(d) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", fmt.Errorf("aiscluster: no go.mod of %s above %v; set AISNODE", modulePath, starts)
}

func isModuleRoot(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	for line := range bytes.Lines(b) {
		if string(bytes.TrimSpace(line)) == "module "+modulePath {
			return true
		}
	}
	return false
}
