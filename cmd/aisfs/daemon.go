package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
)

// readyFDEnv tells a background child which inherited descriptor reports readiness to its parent.
const readyFDEnv = "_AISFS_READY_FD"

func isDaemonChild() bool { return os.Getenv(readyFDEnv) != "" }

// daemonize starts this program again in its own session, with the same arguments, and returns
// once the child reports that the mount is live, or with the child's error.
func daemonize(ctx context.Context, c *mountConfig) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		w.Close()
		return err
	}
	defer devnull.Close()
	cmd := exec.Command(exe, c.args...)
	cmd.Args[0] = "aisfs" // not the mount helper name: the child gets plain aisfs arguments
	// The child reports to this process, never to a service manager this process may be
	// running under: that one would take its READY=1 for the wrong process.
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "NOTIFY_SOCKET=")
	}), readyFDEnv+"=3")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return fmt.Errorf("start background process: %w", err)
	}
	msg, _ := io.ReadAll(r) // EOF when the child reports or dies
	if bytes.HasPrefix(msg, []byte("ok")) {
		return cmd.Process.Release()
	}
	werr := cmd.Wait()
	if s := strings.TrimSpace(string(msg)); s != "" {
		return errors.New(s)
	}
	return fmt.Errorf("background process exited before mounting: %v", werr)
}

// notifier tells whoever waits for the mount that it is live or that it failed: the parent of a
// background child through an inherited pipe.
type notifier struct{ pipe *os.File }

// newNotifier picks up the readiness pipe when this process is a background child.
func newNotifier() *notifier {
	n := &notifier{}
	if isDaemonChild() {
		n.pipe = os.NewFile(3, "ready")
		os.Unsetenv(readyFDEnv)
	}
	return n
}

func (n *notifier) ready() { n.send("ok") }

func (n *notifier) failed(err error) { n.send(err.Error()) }

func (n *notifier) send(msg string) {
	if n.pipe != nil {
		fmt.Fprintln(n.pipe, msg)
		n.pipe.Close()
		n.pipe = nil
	}
}
