// Package calendar holds the calendar rules of billing (§3, §4): dates in
// UTC, the clamp rule, anniversary and calendar billing windows with their
// closing dates, and the monthly terms of a subscription. It is pure: no clock,
// no I/O.
package calendar

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Date is a calendar date (proleptic Gregorian), stored as days since
// 1970-01-01. Dates compare with < and subtract to a number of days.
type Date int32

// NewDate returns the date of year, month and day; the day must exist.
func NewDate(year int, month time.Month, day int) Date {
	if month < 1 || month > 12 || day < 1 || day > DaysIn(year, month) {
		panic(fmt.Sprintf("calendar: %04d-%02d-%02d is not a date", year, month, day))
	}
	return fromCivil(year, int(month), day)
}

// ParseDate parses YYYY-MM-DD and refuses dates that do not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a valid date YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// MustParseDate is ParseDate for constants in tests and examples.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf is the UTC date an instant falls on (§3).
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return fromCivil(y, int(m), d)
}

// Civil returns the year, month and day.
func (d Date) Civil() (year int, month time.Month, day int) {
	y, m, dd := toCivil(int64(d))
	return y, time.Month(m), dd
}

// Year, Month and Day are the parts of the date.
func (d Date) Year() int          { y, _, _ := d.Civil(); return y }
func (d Date) Month() time.Month  { _, m, _ := d.Civil(); return m }
func (d Date) Day() int           { _, _, dd := d.Civil(); return dd }
func (d Date) AddDays(n int) Date { return d + Date(n) }

// Time is the instant the date starts, in UTC.
func (d Date) Time() time.Time {
	y, m, dd := d.Civil()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string {
	y, m, dd := d.Civil()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// MarshalText and UnmarshalText make a Date read and write as YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// DaysIn is the number of days of a month.
func DaysIn(year int, month time.Month) int {
	switch month {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// Clamp is §3's clamp(day, month): the day in the month, or the month's
// last day when the month is shorter. month may run past December or before
// January; it is normalised first, so Clamp(31, 2024, 14) is 2025-02-28.
func Clamp(day, year int, month time.Month) Date {
	year, month = normalise(year, int(month))
	if last := DaysIn(year, month); day > last {
		day = last
	}
	return fromCivil(year, int(month), day)
}

// normalise turns a month number that may be out of 1..12 into a year and month.
func normalise(year, month int) (int, time.Month) {
	m := month - 1
	year += m / 12
	m %= 12
	if m < 0 {
		m += 12
		year--
	}
	return year, time.Month(m + 1)
}

// fromCivil counts the days from 1970-01-01 to a date (after H. Hinnant's
// days_from_civil).
func fromCivil(y, m, d int) Date {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return Date(era*146097 + doe - 719468)
}

// toCivil is the inverse of fromCivil.
func toCivil(z int64) (int, int, int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}

// Scan reads a date column: the calendar date as the database wrote it,
// never shifted by a time zone.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*d = fromCivil(v.Year(), int(v.Month()), v.Day())
		return nil
	case []byte:
		return d.UnmarshalText(v[:min(len(v), 10)])
	case string:
		return d.UnmarshalText([]byte(v[:min(len(v), 10)]))
	}
	return fmt.Errorf("calendar: cannot read a date from %T", src)
}

// Value writes the date as YYYY-MM-DD for a date column.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }
