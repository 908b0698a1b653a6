package aiscluster

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
)

// writeStatus answers like an AIS node would: a JSON error body, or for
// HEAD (no body) the same JSON in the Hdr-Error header.
func writeStatus(w http.ResponseWriter, r *http.Request, code int) {
	msg, _ := json.Marshal(map[string]any{
		"message":  fmt.Sprintf("faultproxy: injected %d", code),
		"method":   r.Method,
		"url_path": r.URL.Path,
		"status":   code,
	})
	if r.Method == http.MethodHead {
		w.Header().Set("Hdr-Error", string(msg))
		w.WriteHeader(code)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(msg)))
	w.WriteHeader(code)
	w.Write(msg)
}

// resetConn takes the connection from net/http and aborts it with a RST
// (zero linger), so the client reads ECONNRESET rather than a clean EOF.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // net/http then drops the connection
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// truncate writes resp's head and its first n body bytes by hand on the
// hijacked connection, then closes it, with a RST when reset. Content-Length
// announces more than that, so the client cannot mistake the cut for a whole
// body.
func (p *FaultProxy) truncate(w http.ResponseWriter, resp *http.Response, n int64, reset bool) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		defer tc.SetLinger(0) // runs before Close: the close sends a RST
	}
	h := cleanHeader(resp.Header)
	p.rewriteLocation(h)
	declared := resp.ContentLength
	if declared <= n {
		declared = n + 1
	}
	h.Set("Content-Length", strconv.FormatInt(declared, 10))
	h.Set("Connection", "close")
	writeHead(brw.Writer, resp.StatusCode, h)
	io.CopyN(brw, resp.Body, n)
	brw.Flush()
}

func writeHead(w *bufio.Writer, code int, h http.Header) {
	fmt.Fprintf(w, "HTTP/1.1 %d %s\r\n", code, http.StatusText(code))
	h.Write(w)
	w.WriteString("\r\n")
}
