# aisfs: build, test against a real local AIStore, benchmark, and a quick demo.

GO         ?= go
BIN        := .bin
AISNODE    := $(BIN)/aisnode
AISFS      := $(BIN)/aisfs
AISCLUSTER := $(BIN)/aiscluster
STATE      := .state/ais
MNT        := mnt
PREFIX     ?= /usr/local
VERSION    ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
SBINDIR    ?= /sbin

# Is the demo mounted? (go ./... patterns and find would walk into it.)
MOUNTED = grep -qs ' $(abspath $(MNT)) ' /proc/mounts

.DELETE_ON_ERROR:
.PHONY: build test bench demo demo-stop install clean not-mounted $(AISCLUSTER)

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(AISFS) ./cmd/aisfs

# aisnode comes from its own module (tools/aisnode) so AIStore's dependencies
# stay out of go.mod. A few minutes the first time; only built when missing.
$(AISNODE):
	cd tools/aisnode && GOWORK=off $(GO) build -o $(abspath $(AISNODE)) github.com/NVIDIA/aistore/cmd/aisnode

$(AISCLUSTER):
	$(GO) build -o $(AISCLUSTER) ./test/aiscluster/cmd/aiscluster

not-mounted:
	@if $(MOUNTED); then echo "$(MNT) is mounted: run 'make demo-stop' first"; exit 1; fi

test: $(AISNODE) not-mounted
	@echo '== gofmt -l'
	@out=$$(find . -path ./$(MNT) -prune -o -path ./.state -prune -o -name '*.go' -print | xargs gofmt -l); \
		if [ -n "$$out" ]; then echo "not gofmt'ed:"; echo "$$out"; exit 1; fi
	@echo '== go vet ./...'
	$(GO) vet ./...
	@echo '== go test -race ./...'
	AISNODE=$(abspath $(AISNODE)) $(GO) test -race -count=1 -timeout 40m -skip '^TestPjdfstest$$' ./...
	@echo '== pjdfstest on an --allow-other mount (test/posix TestPjdfstest; -v prints its table)'
	AISNODE=$(abspath $(AISNODE)) $(GO) test -race -count=1 -timeout 20m -v -run '^TestPjdfstest$$' ./test/posix/

# The benchmark cluster keeps its data in $(BENCH_STATE), so the data sets (and BENCH_LARGE's
# 1,000,000 objects) are created once; BENCH_STATE=DIR reuses another tree's. Prints one table at
# the end (also in $(BENCH_OUT)).
# AISFS_BENCH_RUNS (default 3), AISFS_BENCH_FLAGS (extra mount flags), BENCH=regexp of
# benchmarks, BENCH_LARGE=1, AISFS_BENCH_CPUPROFILE / AISFS_BENCH_MEMPROFILE=prefix.
BENCH_STATE ?= .state/bench
BENCH_OUT   ?= .state/bench-table.txt
bench: build $(AISNODE) $(AISCLUSTER) not-mounted
	@ep=$$($(AISCLUSTER) start -dir $(BENCH_STATE) -aisnode $(abspath $(AISNODE))) || exit 1; \
	AIS_ENDPOINT=$$ep AISFS=$(abspath $(AISFS)) AISFS_BENCH_OUT=$(abspath $(BENCH_OUT)) \
		$(GO) test -run '^$$' -bench "$${BENCH:-.}" -benchtime 1x -timeout 3h ./test/bench/; \
	rc=$$?; $(AISCLUSTER) stop -dir $(BENCH_STATE); exit $$rc

# A detached local cluster in $(STATE), bucket ais://demo, mounted at ./$(MNT).
demo: build $(AISNODE) $(AISCLUSTER)
	@ep=$$($(AISCLUSTER) start -dir $(STATE) -aisnode $(AISNODE)) && \
	$(AISCLUSTER) seed -endpoint $$ep -bucket demo && \
	mkdir -p $(MNT) && \
	if $(MOUNTED); then echo "$(MNT) is already mounted"; \
	else $(AISFS) --log-file $(abspath $(STATE))/aisfs.log $$ep $(MNT); fi && \
	echo && echo "AIS at $$ep is mounted at ./$(MNT). Try:" && \
	echo "  ls -l $(MNT)/ais/demo $(MNT)/ais/demo/data/train" && \
	echo "  cat $(MNT)/ais/demo/docs/readme.txt" && \
	echo "  find $(MNT)/ais/demo -type f | head" && \
	echo "  getfattr -d $(MNT)/ais/demo/docs/readme.txt" && \
	echo "  df -h $(MNT)" && \
	echo "aisfs log: $(STATE)/aisfs.log. Stop with: make demo-stop"

demo-stop: $(AISCLUSTER)
	@if $(MOUNTED); then fusermount3 -u $(MNT) 2>/dev/null || umount $(MNT); fi
	$(AISCLUSTER) stop -dir $(STATE)

# mount -t fuse.aisfs and fstab entries run /sbin/mount.fuse.aisfs.
install: build
	install -D -m 0755 $(AISFS) $(DESTDIR)$(PREFIX)/bin/aisfs
	install -d $(DESTDIR)$(SBINDIR)
	ln -sf $(PREFIX)/bin/aisfs $(DESTDIR)$(SBINDIR)/mount.fuse.aisfs

# Keeps $(AISNODE) (slow to rebuild) and $(STATE) (make demo-stop; then rm -rf .state).
clean:
	rm -f $(AISFS) $(AISCLUSTER)
