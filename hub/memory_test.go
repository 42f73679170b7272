package hub

import (
	"testing"
	"unsafe"
)

// TestPerSocketStructsStaySmall guards the allocator size classes the
// per-socket structs were packed into: one field more can move every
// socket's struct to the next class (docs/BENCHMARKS.md, issue 3).
func TestPerSocketStructsStaySmall(t *testing.T) {
	for _, tc := range []struct {
		name      string
		size, max uintptr
	}{
		{"conn", unsafe.Sizeof(conn{}), 224},
		{"sub", unsafe.Sizeof(sub{}), 64},
		{"deadlineConn", unsafe.Sizeof(deadlineConn{}), 24},
		{"topicMember", unsafe.Sizeof(topicMember{}), 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.size > tc.max {
				t.Errorf("unsafe.Sizeof(%s{}) = %d, want at most %d", tc.name, tc.size, tc.max)
			}
		})
	}
}
