// Package archivetest builds TAR, TGZ and ZIP archives in memory for tests of archives shown as
// directories (the standard library's writers, so what AIS reads is what any tool writes).
package archivetest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"time"
)

// File is one member: a path inside the archive ("a/b/c.txt") and its bytes.
type File struct {
	Name string
	Data []byte
}

// modTime is fixed so that the same members make the same archive.
var modTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Tar returns a TAR of files, in order, with no directory entries.
func Tar(files []File) []byte {
	var buf bytes.Buffer
	writeTar(&buf, files)
	return buf.Bytes()
}

// TarGz returns a gzip-compressed TAR (.tgz, .tar.gz).
func TarGz(files []File) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	writeTar(zw, files)
	if err := zw.Close(); err != nil {
		panic(err) // a bytes.Buffer does not fail
	}
	return buf.Bytes()
}

func writeTar(w interface{ Write([]byte) (int, error) }, files []File) {
	tw := tar.NewWriter(w)
	for _, f := range files {
		hdr := &tar.Header{Name: f.Name, Mode: 0o644, Size: int64(len(f.Data)), ModTime: modTime, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			panic(err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			panic(err)
		}
	}
	if err := tw.Close(); err != nil {
		panic(err)
	}
}

// Zip returns a ZIP of files (deflated).
func Zip(files []File) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: modTime})
		if err != nil {
			panic(err)
		}
		if _, err := w.Write(f.Data); err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
