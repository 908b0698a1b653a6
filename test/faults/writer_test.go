package faults

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// The writer runs in a child process (this test binary again): a process that holds a file
// on the mount open must not start aisnode, since the child's close-on-exec of that
// descriptor is a FUSE FLUSH, which uploads, and would wait for the very node being started.

const writerEnv = "AISFS_FAULTS_WRITER" // "src dst pace mark": copy src to dst in 1 MiB writes

// runWriter is the child: it prints "mark" once mark MiB are written and "closing" before
// close, and exits 0 only when close returned 0.
func runWriter(spec string) int {
	var src, dst, pace string
	var mark int
	if _, err := fmt.Sscan(spec, &src, &dst, &pace, &mark); err != nil {
		fmt.Println("bad spec:", err)
		return 2
	}
	d, _ := time.ParseDuration(pace)
	in, err := os.Open(src)
	if err != nil {
		fmt.Println(err)
		return 2
	}
	out, err := os.Create(dst)
	if err != nil {
		fmt.Println(err)
		return 2
	}
	buf := make([]byte, 1<<20)
	for i := 0; ; i++ {
		if i == mark {
			fmt.Println("mark")
		}
		n, err := io.ReadFull(in, buf)
		if n > 0 {
			if _, werr := out.Write(buf[:n]); werr != nil {
				fmt.Println("write:", werr)
				return 1
			}
		}
		if err != nil {
			break
		}
		time.Sleep(d)
	}
	fmt.Println("closing")
	if err := out.Close(); err != nil {
		fmt.Println("close:", err)
		return 1
	}
	return 0
}

// slowWriter starts the child copying src to dst; events gets its lines, and the result of
// Wait comes last on done.
func slowWriter(t *testing.T, src, dst string, pace time.Duration, markMiB int) (events <-chan string, done <-chan error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), writerEnv+"="+src+" "+dst+" "+pace.String()+" "+strconv.Itoa(markMiB))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ev, dn := make(chan string, 16), make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			ev <- sc.Text()
		}
		close(ev)
		dn <- cmd.Wait()
	}()
	return ev, dn
}
