package posix

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The unit files under test, and where their ExecStart expects aisfs (make install).
const (
	systemdDir   = "../../systemd"
	installedBin = "/usr/local/bin/aisfs"
)

// unit is a parsed unit file: section, key, values in order.
type unit map[string]map[string][]string

// readUnit parses the subset of systemd's unit syntax the files use: sections, KEY=VALUE lines,
// '#' and ';' comments. A continuation line fails the test rather than being misread.
func readUnit(t *testing.T, path string) unit {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u, section := unit{}, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case strings.HasSuffix(line, `\`):
			t.Fatalf("%s: continuation lines are not supported here: %q", path, line)
		case line[0] == '[' && line[len(line)-1] == ']':
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s: cannot parse %q", path, line)
			}
			k = strings.TrimSpace(k)
			u[section][k] = append(u[section][k], strings.TrimSpace(v))
		}
	}
	return u
}

// get returns the one value of a key.
func (u unit) get(t *testing.T, section, key string) string {
	t.Helper()
	if v := u[section][key]; len(v) == 1 {
		return v[0]
	}
	t.Fatalf("[%s] %s: want one value, have %q", section, key, u[section][key])
	return ""
}

// readEnvFile reads an EnvironmentFile of plain KEY=VALUE lines (no quoting, which the example
// does not need).
func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.ContainsAny(v, `"'\`) {
			t.Fatalf("%s: %q is not a plain KEY=VALUE line", path, line)
		}
		env[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return env
}

// expandExec turns an Exec*= value into argv as systemd does for the forms these units use: an
// optional '-' prefix (failure ignored), words split on blanks outside '...' and "...", %f (the
// unescaped instance path: the mountpoint), ${VAR} as one whole argument, and $$ as $. Any other
// specifier or expansion fails the test, so a new form in a unit is never silently mis-emulated.
func expandExec(t *testing.T, line, mnt string, env map[string]string) (argv []string, ignoreFailure bool) {
	t.Helper()
	line, ignoreFailure = strings.CutPrefix(line, "-")
	if line == "" || strings.ContainsAny(line[:1], "@+!:|") {
		t.Fatalf("unsupported Exec prefix in %q", line)
	}
	var words []string
	var cur strings.Builder
	var quote rune
	inWord, quoted := false, false
	flush := func() {
		if inWord {
			w := cur.String()
			if name, ok := strings.CutPrefix(w, "${"); ok && !quoted && strings.HasSuffix(name, "}") {
				words = append(words, env[strings.TrimSuffix(name, "}")])
			} else {
				words = append(words, expandWord(t, w, mnt))
			}
		}
		cur.Reset()
		inWord, quoted = false, false
	}
	for _, r := range line {
		switch {
		case r == '\\':
			t.Fatalf("backslash escapes are not emulated: %q", line)
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord, quoted = r, true, true
		case r == ' ' || r == '\t':
			flush()
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("unterminated quote in %q", line)
	}
	flush()
	return words, ignoreFailure
}

func expandWord(t *testing.T, w, mnt string) string {
	t.Helper()
	w = strings.NewReplacer("%f", mnt, "%%", "\x00").Replace(w)
	if strings.Contains(w, "%") {
		t.Fatalf("specifier in %q is not emulated", w)
	}
	w = strings.ReplaceAll(w, "$$", "\x01")
	if strings.Contains(w, "$") {
		t.Fatalf("variable expansion in %q is not emulated", w)
	}
	return strings.NewReplacer("\x00", "%", "\x01", "$").Replace(w)
}

// verifyUnits runs systemd-analyze verify and fails on anything it says about ours (names or
// dir); what it says about the host's own units is only logged.
func verifyUnits(t *testing.T, dir string, files ...string) {
	t.Helper()
	args := append([]string{"verify", "--man=no"}, files...)
	out, err := exec.Command("systemd-analyze", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for line := range strings.Lines(string(out)) {
		ours := strings.Contains(line, dir)
		for _, f := range files {
			ours = ours || strings.Contains(line, filepath.Base(f))
		}
		if ours {
			t.Errorf("systemd-analyze verify: %s", strings.TrimSpace(line))
		} else if strings.TrimSpace(line) != "" {
			t.Logf("systemd-analyze verify (not about our units): %s", strings.TrimSpace(line))
		}
	}
}

// TestSystemdUnitsVerify checks every unit in systemd/ with systemd-analyze verify, the template
// as an instance, with ExecStart pointing at the aisfs under test (verify wants it executable).
func TestSystemdUnitsVerify(t *testing.T) {
	requireTool(t, "systemd-analyze")
	dir := t.TempDir()
	paths, err := filepath.Glob(filepath.Join(systemdDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, p := range paths {
		name := filepath.Base(p)
		switch filepath.Ext(name) {
		case ".service", ".mount", ".automount":
		default:
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.ReplaceAll(string(b), installedBin, aisfsBin)), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Join(dir, strings.Replace(name, "@.", "@mnt-ais.", 1)))
	}
	if len(files) < 3 {
		t.Fatalf("found %d units in %s, want the service, a .mount and an .automount", len(files), systemdDir)
	}
	verifyUnits(t, dir, files...)
}

// service is aisfs run the way systemd runs aisfs@.service: ExecStartPre and ExecStart expanded
// from the unit and aisfs-example.conf (pointed at the test's cluster and bucket), with a
// NOTIFY_SOCKET whose datagrams carry the sender's pid, as systemd checks for NotifyAccess=main.
type service struct {
	unit    unit
	env     map[string]string
	mnt     string
	source  string
	cmd     *exec.Cmd
	stderr  *syncBuffer
	notes   chan note
	done    chan struct{} // closed when the process has exited; then waitErr is set
	waitErr error
}

type note struct {
	state string
	pid   int32
}

func startService(t *testing.T) *service {
	t.Helper()
	requireRoot(t)
	requireFUSE(t)
	u := readUnit(t, filepath.Join(systemdDir, "aisfs@.service"))
	if typ, access := u.get(t, "Service", "Type"), u.get(t, "Service", "NotifyAccess"); typ != "notify" || access != "main" {
		t.Fatalf("Type=%s NotifyAccess=%s; these tests emulate Type=notify, NotifyAccess=main", typ, access)
	}
	ep, bucket := sampleBucket(t)
	env := map[string]string{}
	for _, e := range u["Service"]["Environment"] {
		for _, kv := range strings.Fields(e) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	}
	for k, v := range readEnvFile(t, filepath.Join(systemdDir, "aisfs-example.conf")) {
		env[k] = v // EnvironmentFile= overrides Environment=
	}
	env["AISFS_SOURCE"] = strings.Replace(env["AISFS_SOURCE"], exampleBucket, "ais://"+bucket, 1)
	env["AIS_ENDPOINT"] = strings.ReplaceAll(env["AIS_ENDPOINT"], exampleEndpoint, ep)
	var opts []string
	for _, o := range strings.Split(env["AISFS_OPTIONS"], ",") {
		if strings.HasPrefix(o, "staging_dir=") {
			o = "staging_dir=" + t.TempDir()
		}
		opts = append(opts, strings.ReplaceAll(o, exampleEndpoint, ep))
	}
	env["AISFS_OPTIONS"] = strings.Join(opts, ",")

	s := &service{unit: u, env: env, mnt: filepath.Join(t.TempDir(), "mnt"), source: env["AISFS_SOURCE"],
		stderr: &syncBuffer{}, notes: make(chan note, 16), done: make(chan struct{})}
	for _, pre := range u["Service"]["ExecStartPre"] {
		argv, ignore := expandExec(t, pre, s.mnt, env)
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil && !ignore {
			t.Fatalf("ExecStartPre %q: %v\n%s", argv, err, out)
		}
	}
	argv, _ := expandExec(t, u.get(t, "Service", "ExecStart"), s.mnt, env)
	if argv[0] != installedBin {
		t.Fatalf("ExecStart runs %s, want %s (where make install puts aisfs)", argv[0], installedBin)
	}
	sock := filepath.Join(t.TempDir(), "notify")
	conn := listenNotify(t, sock)
	s.cmd = exec.Command(aisfsBin, argv[1:]...)
	s.cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	for k, v := range env {
		s.cmd.Env = append(s.cmd.Env, k+"="+v)
	}
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()
	quit := make(chan struct{})
	go s.receive(conn, quit)
	t.Cleanup(func() {
		close(quit)
		conn.Close()
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(2 * time.Minute):
			s.cmd.Process.Kill()
			t.Errorf("aisfs did not exit after SIGTERM")
		}
		if _, _, ok := mountEntry(s.mnt); ok {
			syscall.Unmount(s.mnt, syscall.MNT_DETACH)
		}
		if t.Failed() {
			t.Logf("command: %s\nenv: %v\naisfs stderr:\n%s", s.cmd, env, s.stderr.String())
		}
	})
	return s
}

// listenNotify opens the notify socket with SO_PASSCRED, so each datagram says who sent it.
func listenNotify(t *testing.T, path string) *net.UnixConn {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1)
	}); err != nil || serr != nil {
		t.Fatalf("SO_PASSCRED: %v %v", err, serr)
	}
	return conn
}

func (s *service) receive(conn *net.UnixConn, quit chan struct{}) {
	buf := make([]byte, 4096)
	oob := make([]byte, syscall.CmsgSpace(syscall.SizeofUcred))
	for {
		n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
		if err != nil {
			return
		}
		nt := note{state: string(buf[:n]), pid: -1}
		if msgs, err := syscall.ParseSocketControlMessage(oob[:oobn]); err == nil && len(msgs) > 0 {
			if cred, err := syscall.ParseUnixCredentials(&msgs[0]); err == nil {
				nt.pid = cred.Pid
			}
		}
		select {
		case s.notes <- nt:
		case <-quit:
			return
		}
	}
}

// expect waits for a notification holding the line want, sent by the main process.
func (s *service) expect(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case n := <-s.notes:
			if n.pid != int32(s.cmd.Process.Pid) {
				t.Fatalf("%q came from pid %d, not the main process %d: systemd would drop it", n.state, n.pid, s.cmd.Process.Pid)
			}
			if slices.Contains(strings.Split(n.state, "\n"), want) {
				return
			}
		case <-s.done:
			t.Fatalf("aisfs exited (%v) before sending %s", s.waitErr, want)
		case <-timeout:
			t.Fatalf("no %s from aisfs in a minute (mounted: %v)", want, mounted(s.mnt))
		}
	}
}

// TestSystemdServiceNotify: READY=1 comes once the mount is live, SIGTERM (systemctl stop) sends
// STOPPING=1, and aisfs exits 0 with the mount gone.
func TestSystemdServiceNotify(t *testing.T) {
	s := startService(t)
	s.expect(t, "READY=1")
	checkSample(t, s.mnt, s.source, sampleName, "")
	if err := os.WriteFile(filepath.Join(s.mnt, "svc.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.expect(t, "STOPPING=1")
	select {
	case <-s.done:
	case <-time.After(2 * time.Minute):
		t.Fatal("aisfs did not exit after SIGTERM")
	}
	if s.waitErr != nil {
		t.Fatalf("aisfs exited with %v after SIGTERM, want 0 (systemd would mark the unit failed)", s.waitErr)
	}
	if _, _, ok := mountEntry(s.mnt); ok {
		t.Fatalf("%s still mounted after aisfs exited", s.mnt)
	}
}

// TestSystemdServiceCrashCleanup: after aisfs is killed, the unit's ExecStopPost detaches the dead
// mount (so Restart=on-failure can mount again) and leaves any other filesystem there alone.
func TestSystemdServiceCrashCleanup(t *testing.T) {
	requireTool(t, "findmnt")
	requireTool(t, "umount")
	s := startService(t)
	s.expect(t, "READY=1")
	s.cmd.Process.Kill()
	<-s.done
	if _, _, ok := mountEntry(s.mnt); !ok {
		t.Fatal("no mount left behind by the killed aisfs; nothing to test")
	}
	stopPost := func(mnt string) error {
		argv, ignore := expandExec(t, s.unit.get(t, "Service", "ExecStopPost"), mnt, s.env)
		if !ignore {
			t.Errorf("ExecStopPost should start with '-': it fails when there is nothing to clean up")
		}
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		t.Logf("ExecStopPost %q: %v %s", argv, err, out)
		return err
	}
	if err := stopPost(s.mnt); err != nil {
		t.Fatalf("ExecStopPost on the dead mount: %v", err)
	}
	if _, _, ok := mountEntry(s.mnt); ok {
		t.Fatalf("dead mount %s still there after ExecStopPost", s.mnt)
	}
	if _, err := os.Stat(s.mnt); err != nil {
		t.Fatalf("mountpoint unusable after ExecStopPost: %v", err)
	}

	other := t.TempDir()
	if err := syscall.Mount("tmpfs", other, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Unmount(other, syscall.MNT_DETACH) })
	stopPost(other)
	if _, fstype, ok := mountEntry(other); !ok || fstype != "tmpfs" {
		t.Fatalf("ExecStopPost unmounted a tmpfs at %s", other)
	}
}
