package aiscluster

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// node is one aisnode process: a child of this process, or one found again
// by pid (Attach), which can only be signalled and polled.
type node struct {
	role string
	port int
	dirs nodeDirs
	pid  int
	done chan struct{} // closed once the process has exited
	tail *tailBuffer   // last output, when it goes to Options.Log
}

func (n *node) url() string { return fmt.Sprintf("http://%s:%d", publicHost, n.port) }

// startNode starts aisnode in the given role. A detached node gets its own
// session and writes to its log file, so it outlives this process; otherwise
// the kernel kills it when this process dies (Pdeathsig: go test -timeout,
// a crash), so a test binary never leaves nodes behind.
func startNode(bin string, n *node, logTo io.Writer, detached bool) error {
	args := []string{
		"-config=" + n.dirs.globalConfig(),
		"-local_config=" + n.dirs.localConfig(),
		"-role=" + n.role,
	}
	if n.role == roleProxy {
		args = append(args, "-ntargets=1")
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = n.dirs.root
	cmd.Env = nodeEnv()

	var closeAfterStart io.Closer
	if logTo == nil {
		f, err := os.OpenFile(n.dirs.out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		// The file keeps earlier runs; mark where this one starts.
		fmt.Fprintf(f, "=== aiscluster: %s %s start at %s ===\n", bin, n.role, time.Now().Format(time.RFC3339))
		cmd.Stdout, cmd.Stderr = f, f
		closeAfterStart = f
	} else {
		n.tail = newTailBuffer(tailBytes)
		w := io.MultiWriter(logTo, n.tail)
		cmd.Stdout, cmd.Stderr = w, w
	}

	if detached {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	} else {
		// Own process group, so a terminal's Ctrl-C reaches the test binary
		// only; the nodes then stop through Main/Stop or Pdeathsig.
		// (Pdeathsig follows the forking OS thread; Go keeps threads alive
		// unless a goroutine exits while locked to one.)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	}
	err := cmd.Start()
	if closeAfterStart != nil {
		closeAfterStart.Close()
	}
	if err != nil {
		return fmt.Errorf("start %s: %w", n.role, err)
	}
	n.pid = cmd.Process.Pid
	n.done = make(chan struct{})
	go func() {
		// Reaps the child (a detached one too, while this process lives);
		// how it ended shows in its log tail.
		_ = cmd.Wait()
		close(n.done)
	}()
	return nil
}

// nodeEnv is this process's environment minus what would change aisnode's
// behaviour behind the config's back (AIS_* variables, e.g. an endpoint set
// for the tests themselves).
func nodeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AIS_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// attachNode finds a node again by pid, checking it is still the aisnode
// that uses this node's config (pids get reused).
func attachNode(n *node) error {
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(n.pid) + "/cmdline")
	if err != nil {
		return fmt.Errorf("%s pid %d: %w", n.role, n.pid, ErrNotRunning)
	}
	if !strings.Contains(string(cmdline), "-local_config="+n.dirs.localConfig()) {
		return fmt.Errorf("%s pid %d is another process: %w", n.role, n.pid, ErrNotRunning)
	}
	n.done = make(chan struct{})
	go func() {
		// Not our child: poll until it is gone.
		for pidAlive(n.pid) {
			time.Sleep(100 * time.Millisecond)
		}
		close(n.done)
	}()
	return nil
}

func pidAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// running: started (or found) and not exited.
func (n *node) running() bool { return n.done != nil && !n.exited() }

func (n *node) exited() bool {
	select {
	case <-n.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, waits up to grace, then SIGKILLs and waits again.
func (n *node) stop(grace time.Duration) error {
	if n.done == nil || n.exited() {
		return nil
	}
	_ = syscall.Kill(n.pid, syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-n.done:
		return nil
	case <-t.C:
	}
	_ = syscall.Kill(n.pid, syscall.SIGKILL)
	select {
	case <-n.done:
	case <-time.After(killWait):
		return fmt.Errorf("aiscluster: %s pid %d survived SIGKILL", n.role, n.pid)
	}
	return fmt.Errorf("aiscluster: %s pid %d ignored SIGTERM for %v and was killed", n.role, n.pid, grace)
}

// logTail returns the end of the node's output, for error messages.
func (n *node) logTail() string {
	var s string
	if n.tail != nil {
		s = n.tail.String()
	} else {
		s = tailFile(n.dirs.out, tailBytes)
	}
	return fmt.Sprintf("--- %s (%s) log tail ---\n%s", n.role, n.url(), s)
}
