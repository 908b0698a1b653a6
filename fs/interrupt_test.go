package fs

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestPatientContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		req, interrupt := context.WithCancel(context.Background())
		ctx, done := patient(req)
		defer done()
		interrupt()
		synctest.Wait()
		if ctx.Err() != nil {
			t.Fatal("work was cancelled at once by an interrupt")
		}
		time.Sleep(interruptGrace - time.Millisecond)
		if ctx.Err() != nil {
			t.Fatal("work was cancelled before the grace ran out")
		}
		time.Sleep(2 * time.Millisecond)
		if ctx.Err() == nil {
			t.Fatal("an interrupted request's work went on past the grace")
		}
	})
	synctest.Test(t, func(t *testing.T) {
		ctx, done := patient(context.Background())
		done()
		if ctx.Err() != nil {
			t.Fatal("an uncancellable request's context was cancelled")
		}
		req, cancel := context.WithCancel(context.Background())
		ctx, done = patient(req)
		done()
		if ctx.Err() == nil {
			t.Fatal("done did not end the work's context")
		}
		cancel()
	})
}
