package disk

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	magic     = "aisfsdc1"
	headerLen = 32
	fileAlign = 4096 // sizes are counted in filesystem blocks, which is what a file takes
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errDamaged is wrapped by every reason a block file is refused.
var errDamaged = errors.New("damaged block file")

// blockName is the file of block idx of key, relative to DIR/v1: XX/HASH-IDX.
func blockName(key string, idx int64) string {
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:16])
	return h[:2] + "/" + h + "-" + strconv.FormatInt(idx, 10)
}

// parseName reports whether a file found in DIR/v1 (as XX/NAME) is a block file.
func parseName(name string) bool {
	dir, base := filepath.Split(name)
	h, idx, ok := strings.Cut(base, "-")
	if !ok || len(h) != 32 || dir != h[:2]+"/" {
		return false
	}
	if _, err := hex.DecodeString(h); err != nil || strings.ToLower(h) != h {
		return false
	}
	n, err := strconv.ParseInt(idx, 10, 64)
	return err == nil && n >= 0 && strconv.FormatInt(n, 10) == idx
}

// trailerLen is the length of the trailer after a block's data: header and key, padded to
// whole 4 KiB so an aligned block can be written with O_DIRECT, trailer included.
func trailerLen(key string) int { return roundUp(headerLen+len(key), fileAlign) }

// fileSize is the bytes a block file takes on disk, as the size bound counts them.
func fileSize(key string, dataLen int) int64 {
	return int64(roundUp(dataLen+trailerLen(key), fileAlign))
}

func roundUp(n, to int) int { return (n + to - 1) / to * to }

// encodeTrailer fills t (trailerLen(key) bytes) with the trailer that follows data.
func encodeTrailer(t []byte, key string, idx int64, data []byte) {
	clear(t)
	copy(t, magic)
	binary.LittleEndian.PutUint32(t[8:], uint32(len(key)))
	binary.LittleEndian.PutUint32(t[12:], uint32(len(data)))
	binary.LittleEndian.PutUint64(t[16:], uint64(idx))
	binary.LittleEndian.PutUint32(t[24:], crc32.Checksum(data, castagnoli))
	copy(t[headerLen:], key)
	binary.LittleEndian.PutUint32(t[28:], headerCRC(t[:headerLen+len(key)]))
}

// headerCRC covers the header before its own CRC, and the key after it.
func headerCRC(h []byte) uint32 {
	crc := crc32.Update(0, castagnoli, h[:28])
	return crc32.Update(crc, castagnoli, h[headerLen:])
}

// verify checks a block file's data, the header h (with key) of its trailer, and its total
// size against the block that was asked for.
func verify(h []byte, key string, idx int64, data []byte, size int64) error {
	want := int64(len(data) + trailerLen(key))
	switch {
	case size != want:
		return fmt.Errorf("%w: %d bytes, want %d", errDamaged, size, want)
	case len(h) != headerLen+len(key) || string(h[:8]) != magic:
		return fmt.Errorf("%w: bad magic", errDamaged)
	case binary.LittleEndian.Uint32(h[28:]) != headerCRC(h):
		return fmt.Errorf("%w: header checksum mismatch", errDamaged)
	case binary.LittleEndian.Uint32(h[8:]) != uint32(len(key)) || string(h[headerLen:]) != key:
		return fmt.Errorf("%w: holds another object", errDamaged)
	case binary.LittleEndian.Uint64(h[16:]) != uint64(idx):
		return fmt.Errorf("%w: holds block %d, want %d", errDamaged, binary.LittleEndian.Uint64(h[16:]), idx)
	case binary.LittleEndian.Uint32(h[12:]) != uint32(len(data)):
		return fmt.Errorf("%w: holds %d data bytes, want %d", errDamaged, binary.LittleEndian.Uint32(h[12:]), len(data))
	case binary.LittleEndian.Uint32(h[24:]) != crc32.Checksum(data, castagnoli):
		return fmt.Errorf("%w: data checksum mismatch", errDamaged)
	}
	return nil
}
