package naming

import (
	"testing"

	"github.com/mwgen/mwgen/apischema"
)

func loadSnapshot(t *testing.T) *apischema.Schema {
	t.Helper()
	s, err := apischema.Default()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
