package calendar_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/openbilling/billing/calendar"
)

var d = calendar.MustParseDate

func TestDateRoundTripsThroughTime(t *testing.T) {
	t.Parallel()
	start := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	for day := 0; day < 365*300; day += 7 {
		want := start.AddDate(0, 0, day)
		got := calendar.DateOf(want)
		if got.Time() != want || got.String() != want.Format(time.DateOnly) {
			t.Fatalf("%s became %s", want.Format(time.DateOnly), got)
		}
		if got+1 != calendar.DateOf(want.AddDate(0, 0, 1)) {
			t.Fatalf("the day after %s is not %s+1", got, got)
		}
	}
}

func TestAnInstantBelongsToItsUTCDate(t *testing.T) {
	t.Parallel()
	at, _ := time.Parse(time.RFC3339, "2026-07-01T01:30:00+02:00")
	if got := calendar.DateOf(at); got != d("2026-06-30") {
		t.Errorf("2026-07-01T01:30:00+02:00 is on %s, want 2026-06-30", got)
	}
}

func TestClamp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		day   int
		year  int
		month time.Month
		want  string
	}{
		{15, 2026, 6, "2026-06-15"},
		{31, 2026, 6, "2026-06-30"},
		{31, 2024, 2, "2024-02-29"},
		{31, 2023, 2, "2023-02-28"},
		{30, 2100, 2, "2100-02-28"},
		{29, 2000, 2, "2000-02-29"},
		{31, 2024, 14, "2025-02-28"},
		{31, 2024, 0, "2023-12-31"},
	} {
		if got := calendar.Clamp(tc.day, tc.year, tc.month); got.String() != tc.want {
			t.Errorf("clamp(%d, %d-%02d) = %s, want %s", tc.day, tc.year, tc.month, got, tc.want)
		}
	}
}

func TestAnniversaryWindows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		billingDay int
		date       string
		start, end string
		closes     string
	}{
		{"billing day 15: May 15 to June 14 is invoiced June 15", 15, "2019-05-20", "2019-05-15", "2019-06-14", "2019-06-15"},
		{"billing day 15: the day before the billing day is in the earlier window", 15, "2019-06-14", "2019-05-15", "2019-06-14", "2019-06-15"},
		{"billing day 15: the billing day starts a window", 15, "2019-06-15", "2019-06-15", "2019-07-14", "2019-07-15"},
		{"billing day 31: Jan 31 to Feb 27 closes Feb 28 in a common year", 31, "2023-02-10", "2023-01-31", "2023-02-27", "2023-02-28"},
		{"billing day 31: Jan 31 to Feb 28 closes Feb 29 in a leap year", 31, "2024-02-10", "2024-01-31", "2024-02-28", "2024-02-29"},
		{"billing day 31: Feb 28 to Mar 30 closes Mar 31", 31, "2023-03-15", "2023-02-28", "2023-03-30", "2023-03-31"},
		{"billing day 31: Feb 29 to Mar 30 closes Mar 31 in a leap year", 31, "2024-03-01", "2024-02-29", "2024-03-30", "2024-03-31"},
		{"billing day 30: Jan 30 to Feb 27 closes Feb 28", 30, "2023-02-01", "2023-01-30", "2023-02-27", "2023-02-28"},
		{"billing day 30: Feb 28 to Mar 29 closes Mar 30", 30, "2023-02-28", "2023-02-28", "2023-03-29", "2023-03-30"},
		{"billing day 29: Jan 29 to Feb 27 closes Feb 28 in a common year", 29, "2023-02-27", "2023-01-29", "2023-02-27", "2023-02-28"},
		{"billing day 29: Feb 29 to Mar 28 closes Mar 29 in a leap year", 29, "2024-03-01", "2024-02-29", "2024-03-28", "2024-03-29"},
		{"billing day 28: every February is the same", 28, "2024-02-28", "2024-02-28", "2024-03-27", "2024-03-28"},
		{"billing day 1: a window is a calendar month", 1, "2026-06-30", "2026-06-01", "2026-06-30", "2026-07-01"},
		{"billing day 31: December 31 to January 30", 31, "2026-01-05", "2025-12-31", "2026-01-30", "2026-01-31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := calendar.AnniversaryWindow(tc.billingDay, d(tc.date))
			if w.Start != d(tc.start) || w.End != d(tc.end) || w.Closes != d(tc.closes) {
				t.Errorf("window of %s = %s closing %s, want %s–%s closing %s", tc.date, w.Period, w.Closes, tc.start, tc.end, tc.closes)
			}
		})
	}
}

func TestCalendarWindowsCloseOnTheEighth(t *testing.T) {
	t.Parallel()
	for date, want := range map[string]string{
		"2026-06-01": "2026-06-01–2026-06-30 closes 2026-07-08",
		"2026-06-30": "2026-06-01–2026-06-30 closes 2026-07-08",
		"2024-02-15": "2024-02-01–2024-02-29 closes 2024-03-08",
		"2026-12-31": "2026-12-01–2026-12-31 closes 2027-01-08",
	} {
		w := calendar.CalendarWindow(d(date))
		if got := fmt.Sprintf("%s closes %s", w.Period, w.Closes); got != want {
			t.Errorf("calendar window of %s: %s, want %s", date, got, want)
		}
	}
}

func TestWindowsDueCatchUpOldestFirst(t *testing.T) {
	t.Parallel()
	got := calendar.WindowsDue(calendar.BillingAnniversary, 15, d("2026-03-20"), d("2026-06-15"), 0)
	want := []string{"2026-03-15", "2026-04-15", "2026-05-15"}
	if len(got) != len(want) {
		t.Fatalf("got %d windows, want %d", len(got), len(want))
	}
	for i, w := range got {
		if w.Start.String() != want[i] {
			t.Errorf("window %d starts %s, want %s", i, w.Start, want[i])
		}
	}
	if n := len(calendar.WindowsDue(calendar.BillingAnniversary, 15, d("2026-03-20"), d("2026-06-14"), 0)); n != 2 {
		t.Errorf("the day before the closing date: %d windows due, want 2", n)
	}
	if n := len(calendar.WindowsDue(calendar.BillingAnniversary, 15, d("2026-03-20"), d("2026-06-16"), 2)); n != 2 {
		t.Errorf("with 2 grace days, one day after the closing date: %d windows due, want 2", n)
	}
	if n := len(calendar.WindowsDue(calendar.BillingCalendar, 0, d("2026-06-10"), d("2026-07-08"), 0)); n != 1 {
		t.Errorf("calendar June on July 8: %d windows due, want 1", n)
	}
	if n := len(calendar.WindowsDue(calendar.BillingCalendar, 0, d("2026-06-10"), d("2026-07-07"), 0)); n != 0 {
		t.Errorf("calendar June on July 7: %d windows due, want 0", n)
	}
}

func TestTermsAnchorOnTheStartDay(t *testing.T) {
	t.Parallel()
	start := d("2024-01-31")
	want := []string{"2024-01-31–2024-02-28", "2024-02-29–2024-03-30", "2024-03-31–2024-04-29", "2024-04-30–2024-05-30"}
	for k, w := range want {
		if got := calendar.Term(start, k).String(); got != w {
			t.Errorf("term %d = %s, want %s", k, got, w)
		}
	}
	common := d("2023-01-31")
	for k, w := range []string{"2023-01-31–2023-02-27", "2023-02-28–2023-03-30", "2023-03-31–2023-04-29"} {
		if got := calendar.Term(common, k).String(); got != w {
			t.Errorf("common year term %d = %s, want %s", k, got, w)
		}
	}
	if got := calendar.Term(d("2026-06-11"), 0); got.Days() != 30 || got.String() != "2026-06-11–2026-07-10" {
		t.Errorf("first term from Jun 11 = %s (%d days), want 2026-06-11–2026-07-10 (30 days)", got, got.Days())
	}
}

// Windows of every billing day tile 2023–2028: each day is in exactly one
// window, and consecutive windows meet with no gap or overlap.
func TestWindowsTileTheCalendar(t *testing.T) {
	t.Parallel()
	first, last := d("2023-01-01"), d("2028-12-31")
	for day := 0; day <= 31; day++ {
		b, billingDay := calendar.BillingAnniversary, day
		if day == 0 {
			b = calendar.BillingCalendar
		}
		w := calendar.WindowOf(b, billingDay, first)
		for x := first; x <= last; x++ {
			if !w.Contains(x) {
				next := w.Next(b, billingDay)
				if next.Start != w.End+1 || next.Start != x {
					t.Fatalf("billing %s day %d: after %s comes %s, want a window starting %s", b, billingDay, w.Period, next.Period, x)
				}
				w = next
			}
			if got := calendar.WindowOf(b, billingDay, x); got != w {
				t.Fatalf("billing %s day %d: %s is in %s, want %s", b, billingDay, x, got.Period, w.Period)
			}
			if b == calendar.BillingAnniversary && w.Closes != w.End+1 {
				t.Fatalf("billing day %d: %s closes %s, want the day after its end", billingDay, w.Period, w.Closes)
			}
		}
	}
}

// Terms of subscriptions started on every day of 2023–2026 tile time the same way.
func TestTermsTileTheCalendar(t *testing.T) {
	t.Parallel()
	for start := d("2023-01-01"); start <= d("2026-12-31"); start++ {
		prev := calendar.Term(start, 0)
		if prev.Start != start {
			t.Fatalf("first term of %s starts %s", start, prev.Start)
		}
		for k := 1; k < 30; k++ {
			term := calendar.Term(start, k)
			if term.Start != prev.End+1 || term.Days() < 28 || term.Days() > 31 {
				t.Fatalf("start %s: term %d %s follows %s", start, k, term, prev)
			}
			for _, x := range []calendar.Date{term.Start, term.End, term.Start + 13} {
				if gotK, got := calendar.TermOf(start, x); gotK != k || got != term {
					t.Fatalf("start %s: %s is in term %d %s, want %d %s", start, x, gotK, got, k, term)
				}
			}
			prev = term
		}
	}
}

func FuzzDateCivilRoundTrip(f *testing.F) {
	f.Add(int32(0))
	f.Add(int32(-719468))
	f.Add(int32(19000))
	f.Fuzz(func(t *testing.T, n int32) {
		if n < -1_000_000 || n > 1_000_000 {
			return
		}
		x := calendar.Date(n)
		y, m, dd := x.Civil()
		if calendar.NewDate(y, m, dd) != x {
			t.Fatalf("%d → %d-%d-%d does not come back", n, y, m, dd)
		}
	})
}
