// Package xlsxbaseline writes the limit the spreadsheets are measured
// against: a bare excelize StreamWriter writing rows of mixed cells with
// nothing else, spilling to a second sheet at Excel's row limit.
package xlsxbaseline

import (
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// maxRows is Excel's row limit per sheet.
const maxRows = 1_048_576

// Write writes rows × cols cells of text, numbers and dates to w.
func Write(w io.Writer, rows, cols int) error {
	f := excelize.NewFile()
	defer f.Close()
	values := make([]any, cols)
	date := time.Date(2026, 6, 12, 0, 0, 0, 0, time.UTC)
	sheet, row := "Sheet1", 0
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i := 0; i < rows; i++ {
		if row == maxRows {
			if err := sw.Flush(); err != nil {
				return err
			}
			sheet = "Sheet2"
			if _, err := f.NewSheet(sheet); err != nil {
				return err
			}
			if sw, err = f.NewStreamWriter(sheet); err != nil {
				return err
			}
			row = 0
		}
		for c := range values {
			switch c % 5 {
			case 0, 1:
				values[c] = "C2 Plus & Co"
			case 2:
				values[c] = float64(i%1000) + 0.25
			case 3:
				values[c] = date
			default:
				values[c] = i
			}
		}
		row++
		ref, _ := excelize.CoordinatesToCellName(1, row)
		if err := sw.SetRow(ref, values); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
