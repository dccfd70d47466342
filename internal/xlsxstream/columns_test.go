package xlsxstream

import "testing"

// Columns past Z are named as Excel names them.
func TestColumnNames(t *testing.T) {
	t.Parallel()
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 63: "BL", 64: "BM", 701: "ZZ", 702: "AAA", MaxColumns - 1: "XFD"} {
		if got := ColumnName(i); got != want {
			t.Errorf("column %d is %s, want %s", i, got, want)
		}
	}
}
