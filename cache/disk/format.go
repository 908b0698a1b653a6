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

	"github.com/aisfs/aisfs/internal/xxhash"
)

const (
	magic     = "aisfsdc3"
	headerLen = 40 // magic, key length, slots used, segment, slot size, CRC, slots per segment
	entryLen  = 12 // per slot: data length (0: empty), xxhash64 of the data
	footerLen = 16 // magic and the trailer's length, the file's last bytes
	fileAlign = 4096
	// segmentBytes is the most data one segment file holds: large files, few creates (one
	// inode per block cost a fifth of the daemon's CPU in ext4's inode allocator).
	segmentBytes = 32 << 20
	// maxTrailer bounds a trailer's length read from a footer, so damage cannot ask for more.
	maxTrailer = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errDamaged is wrapped by every reason a segment file is refused; errBadBlock by a block
// whose data does not match its checksum (the file's other blocks are checked on their own).
var (
	errDamaged  = errors.New("damaged cache file")
	errBadBlock = fmt.Errorf("%w: data checksum mismatch", errDamaged)
)

// geom is the shape of segments for one block size: a slot holds a block, rounded up to 4 KiB
// so every slot starts aligned for O_DIRECT.
type geom struct {
	slot  int64 // bytes per slot
	slots int64 // slots per segment
}

func newGeom(blockSize, size int64) geom {
	slot := int64(roundUp(int(blockSize), fileAlign))
	// A segment is at most a quarter of the cache, so open segments cannot crowd it out.
	n := max(1, min(segmentBytes/slot, size/4/slot))
	return geom{slot: slot, slots: n}
}

// entry is one slot of a segment: n bytes (0: no block) whose xxhash64 is sum.
type entry struct {
	n   uint32
	sum uint64
}

// segName is the file of a segment of key, relative to DIR/v2: XX/HASH-SEG-GEN. HASH is the
// first 128 bits of SHA-256 of the key in hex, XX its first two characters (no huge
// directory); GEN tells apart files of one segment written at different times.
func segName(key string, seg int64, gen uint64) string {
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:16])
	return h[:2] + "/" + h + "-" + strconv.FormatInt(seg, 10) + "-" + strconv.FormatUint(gen, 16)
}

// parseName reports the segment and generation a file found in DIR/v2 (as XX/NAME) names, if
// it is one.
func parseName(name string) (seg int64, gen uint64, ok bool) {
	dir, base := filepath.Split(name)
	parts := strings.Split(base, "-")
	if len(parts) != 3 || len(parts[0]) != 32 || dir != parts[0][:2]+"/" {
		return 0, 0, false
	}
	if _, err := hex.DecodeString(parts[0]); err != nil || strings.ToLower(parts[0]) != parts[0] {
		return 0, 0, false
	}
	seg, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || seg < 0 || strconv.FormatInt(seg, 10) != parts[1] {
		return 0, 0, false
	}
	gen, err = strconv.ParseUint(parts[2], 16, 64)
	if err != nil {
		return 0, 0, false
	}
	return seg, gen, true
}

// trailerLen is the length of a segment's trailer: header, key and n entries, then the
// footer, padded to whole 4 KiB so it is written with O_DIRECT after the aligned slots.
func trailerLen(key string, n int64) int {
	return roundUp(headerLen+len(key)+entryLen*int(n)+footerLen, fileAlign)
}

func roundUp(n, to int) int { return (n + to - 1) / to * to }

// encodeTrailer returns the trailer of segment seg, of geometry g, whose slots are ents, in
// aligned memory.
func encodeTrailer(key string, seg int64, g geom, ents []entry) []byte {
	t := alignedBuf(trailerLen(key, int64(len(ents))))
	copy(t, magic)
	binary.LittleEndian.PutUint32(t[8:], uint32(len(key)))
	binary.LittleEndian.PutUint32(t[12:], uint32(len(ents)))
	binary.LittleEndian.PutUint64(t[16:], uint64(seg))
	binary.LittleEndian.PutUint32(t[24:], uint32(g.slot))
	binary.LittleEndian.PutUint64(t[32:], uint64(g.slots))
	copy(t[headerLen:], key)
	e := t[headerLen+len(key):]
	for i, en := range ents {
		binary.LittleEndian.PutUint32(e[entryLen*i:], en.n)
		binary.LittleEndian.PutUint64(e[entryLen*i+4:], en.sum)
	}
	f := t[len(t)-footerLen:]
	copy(f, magic)
	binary.LittleEndian.PutUint32(f[8:], uint32(len(t)))
	binary.LittleEndian.PutUint32(t[28:], trailerCRC(t))
	return t
}

// trailerCRC covers the whole trailer but its own field.
func trailerCRC(t []byte) uint32 {
	return crc32.Update(crc32.Update(0, castagnoli, t[:28]), castagnoli, t[32:])
}

// footerTrailerLen reads the trailer length from a file's last footerLen bytes.
func footerTrailerLen(f []byte, size int64) (int, error) {
	if len(f) != footerLen || string(f[:8]) != magic {
		return 0, fmt.Errorf("%w: no footer", errDamaged)
	}
	n := int(binary.LittleEndian.Uint32(f[8:]))
	if n < fileAlign || n%fileAlign != 0 || n > maxTrailer || int64(n) > size {
		return 0, fmt.Errorf("%w: trailer of %d bytes in a file of %d", errDamaged, n, size)
	}
	return n, nil
}

// decodeTrailer checks trailer t of a file of size bytes, holding segment seg of slots of
// g.slot bytes, and returns its key and entries.
func decodeTrailer(t []byte, size, seg int64, g geom, blockSize int64) (string, []entry, error) {
	if len(t) < headerLen+footerLen || string(t[:8]) != magic {
		return "", nil, fmt.Errorf("%w: bad magic", errDamaged)
	}
	if binary.LittleEndian.Uint32(t[28:]) != trailerCRC(t) {
		return "", nil, fmt.Errorf("%w: trailer checksum mismatch", errDamaged)
	}
	kl := int(binary.LittleEndian.Uint32(t[8:]))
	n := int64(binary.LittleEndian.Uint32(t[12:]))
	switch {
	case headerLen+kl+entryLen*int(n)+footerLen > len(t):
		return "", nil, fmt.Errorf("%w: trailer too short", errDamaged)
	case int64(binary.LittleEndian.Uint64(t[16:])) != seg:
		return "", nil, fmt.Errorf("%w: holds another segment", errDamaged)
	case int64(binary.LittleEndian.Uint32(t[24:])) != g.slot || n < 1 || n > g.slots:
		return "", nil, fmt.Errorf("%w: made for another block size", errDamaged)
	case int64(binary.LittleEndian.Uint64(t[32:])) != g.slots && seg != 0:
		// Segments hold fewer slots in a cache under 128 MiB. Made at another size, slot i of a
		// segment past the first is not block seg*g.slots+i (its data would pass its checksum as
		// the wrong block); in the first it is block i at any size, so small objects survive.
		return "", nil, fmt.Errorf("%w: made for another cache size", errDamaged)
	case size != n*g.slot+int64(len(t)):
		return "", nil, fmt.Errorf("%w: %d bytes, want %d", errDamaged, size, n*g.slot+int64(len(t)))
	}
	key := string(t[headerLen : headerLen+kl])
	e := t[headerLen+kl:]
	ents := make([]entry, n)
	for i := range ents {
		ents[i] = entry{binary.LittleEndian.Uint32(e[entryLen*i:]), binary.LittleEndian.Uint64(e[entryLen*i+4:])}
		if int64(ents[i].n) > blockSize {
			return "", nil, fmt.Errorf("%w: slot %d holds %d bytes", errDamaged, i, ents[i].n)
		}
	}
	return key, ents, nil
}

// dataSum is the checksum of a block's data: xxhash64, which ran at twice CRC-32C's speed
// over blocks not in the CPU's caches here (8-9.5 against 4 GB/s), and the block checksum was
// half of what the disk cache cost the daemon (pprof).
func dataSum(p []byte) uint64 { return xxhash.Sum64(p) }

// checkData verifies a block read from a slot against its entry.
func checkData(p []byte, e entry) error {
	if dataSum(p) != e.sum {
		return errBadBlock
	}
	return nil
}
