package apischema

import "testing"

// BenchmarkDecodeDefault decodes and validates the embedded 1.39 snapshot
// (141 modules, help text included), hash check included.
func BenchmarkDecodeDefault(b *testing.B) {
	b.SetBytes(int64(len(defaultSnapshot)))
	b.ReportAllocs()
	for range b.N {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarshalSnapshot encodes the embedded schema as a snapshot.
func BenchmarkMarshalSnapshot(b *testing.B) {
	s, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		if _, err := s.MarshalSnapshot(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkShortHash is what the generator's file header costs: free for
// a decoded snapshot, whose hash the decoder verified.
func BenchmarkShortHash(b *testing.B) {
	s, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		_ = s.ShortHash()
	}
}
