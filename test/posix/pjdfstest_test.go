package posix

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aisfs/aisfs/test/aiscluster"
)

// pjdfstestMinPassed ratchets the suite: the pass count of the default 13 directories (8,590
// assertions as run-pjdfstest counts them) on a bucket mounted with --allow-other must not drop
// below it. Two runs of the same code passed the same assertions, so there is no margin. Raise it
// when aisfs passes more; never lower it to make a change pass. The README lists what fails.
// (It was 8,385 for a while only because a file whose upload AIS refused stayed visible: nine
// checks of rmdir/01.t and unlink/00.t passed on a file that did not exist.)
const pjdfstestMinPassed = 8376

// TestPjdfstest runs pjdfstest's default directories on a bucket mounted with --allow-other
// (the tests act as uid 65534) and prints the per-directory table.
func TestPjdfstest(t *testing.T) {
	if testing.Short() {
		t.Skip("pjdfstest takes minutes")
	}
	runner := conformanceTool(t, "run-pjdfstest")
	for _, tool := range []string{"prove", "perl", "openssl"} {
		requireTool(t, tool)
	}
	if os.Geteuid() != 0 {
		aiscluster.RequireTool(t, "root (pjdfstest switches users)")
	}
	e := newEnv(t, "", "--allow-other", "--log-level", "warn")
	cmd := exec.Command(runner, e.mnt)
	cmd.Env = append(os.Environ(), "LOGDIR="+t.TempDir())
	out, _ := cmd.CombinedOutput() // exit 1 means some assertion failed; the counts below decide
	t.Logf("pjdfstest on aisfs --allow-other:\n%s", out)
	passed, total, err := pjdfstestCounts(string(out))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("passed %d of %d (%.1f%%)", passed, total, 100*float64(passed)/float64(total))
	if passed < pjdfstestMinPassed {
		t.Fatalf("pjdfstest: %d assertions passed, fewer than the %d reached before", passed, pjdfstestMinPassed)
	}
}

var pjdfstestTotal = regexp.MustCompile(`(?m)^TOTAL: (\d+) tests, (\d+) failed$`)

// pjdfstestCounts reads run-pjdfstest's TOTAL line.
func pjdfstestCounts(out string) (passed, total int, err error) {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		m := pjdfstestTotal.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		total, _ = strconv.Atoi(m[1])
		failed, _ := strconv.Atoi(m[2])
		return total - failed, total, nil
	}
	return 0, 0, errors.New("run-pjdfstest printed no TOTAL line")
}
