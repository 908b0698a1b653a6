package metrics

import (
	"strconv"
	"time"
)

// durationBuckets span a cached-connection HEAD (sub-millisecond on loopback) to a large
// upload or a request that waited for timeouts and retries.
var durationBuckets = []float64{
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
}

// ObserveRequest records one AIS request. Its signature is aisclient.Observer's, so
// m.ObserveRequest can be set as aisclient.Config.Observer. method is implied by op and
// not used as a label.
func (m *Metrics) ObserveRequest(op, method string, status int, dur time.Duration, sent, received int64, err error) {
	code, class := "none", "none"
	if status > 0 {
		code = strconv.Itoa(status)
		class = strconv.Itoa(status/100) + "xx"
	}
	m.requests.WithLabelValues(op, code).Inc()
	if err != nil {
		m.failures.WithLabelValues(op).Inc()
	}
	m.duration.WithLabelValues(op, class).Observe(dur.Seconds())
	if sent > 0 {
		m.sentBytes.WithLabelValues(op).Add(float64(sent))
	}
	if received > 0 {
		m.recvBytes.WithLabelValues(op).Add(float64(received))
	}
	// Object data, as opposed to listings, JSON and error bodies. The names are
	// aisclient's ops (TestClientWiring checks them against the real client).
	switch op {
	case "GetRange", "GetObject", "GetBatch": // a GetBatch's TAR framing counts too: ~1% at 64 KiB files
		m.readBytes.Add(float64(max(received, 0)))
	case "PutObject", "Append":
		m.writeBytes.Add(float64(max(sent, 0)))
	}
}
