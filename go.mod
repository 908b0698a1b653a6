module github.com/aisfs/aisfs

go 1.26.0

require (
	github.com/dustin/go-humanize v1.1.0
	github.com/hanwen/go-fuse/v2 v2.12.1
	github.com/hashicorp/golang-lru/v2 v2.0.7
	github.com/spf13/pflag v1.0.10
	golang.org/x/sys v0.49.0
)
