package calendar_test

import (
	"strings"
	"testing"

	"github.com/openbilling/billing/calendar"
)

func windows(s calendar.BillingDays, from, to string) string {
	var out []string
	for _, w := range s.WindowsFrom(calendar.BillingAnniversary, calendar.MustParseDate(from), calendar.MustParseDate(to)) {
		out = append(out, w.Period.String()+" closes "+w.Closes.String())
	}
	return strings.Join(out, "\n")
}

// §7: the change takes effect after the last closed window, through one
// transition window up to the day before the new billing day.
func TestABillingDayChangeGoesThroughOneTransitionWindow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		days   calendar.BillingDays
		window string
	}{
		{"15 to 1 after the window closed on June 15",
			calendar.BillingDays{First: 15, Changes: []calendar.DayChange{{From: calendar.MustParseDate("2026-06-15"), Day: 1}}},
			"2026-05-15–2026-06-14 closes 2026-06-15\n2026-06-15–2026-06-30 closes 2026-07-01\n2026-07-01–2026-07-31 closes 2026-08-01\n2026-08-01–2026-08-31 closes 2026-09-01"},
		{"15 to 20: a transition of five days",
			calendar.BillingDays{First: 15, Changes: []calendar.DayChange{{From: calendar.MustParseDate("2026-06-15"), Day: 20}}},
			"2026-05-15–2026-06-14 closes 2026-06-15\n2026-06-15–2026-06-19 closes 2026-06-20\n2026-06-20–2026-07-19 closes 2026-07-20\n2026-07-20–2026-08-19 closes 2026-08-20"},
		{"1 to 31 at the end of February: the new day falls on Feb 28",
			calendar.BillingDays{First: 1, Changes: []calendar.DayChange{{From: calendar.MustParseDate("2026-02-01"), Day: 31}}},
			"2026-01-01–2026-01-31 closes 2026-02-01\n2026-02-01–2026-02-27 closes 2026-02-28\n2026-02-28–2026-03-30 closes 2026-03-31\n2026-03-31–2026-04-29 closes 2026-04-30"},
		{"a change to the day already falling on the change: no transition",
			calendar.BillingDays{First: 15, Changes: []calendar.DayChange{{From: calendar.MustParseDate("2026-06-15"), Day: 15}}},
			"2026-05-15–2026-06-14 closes 2026-06-15\n2026-06-15–2026-07-14 closes 2026-07-15\n2026-07-15–2026-08-14 closes 2026-08-15\n2026-08-15–2026-09-14 closes 2026-09-15"},
		{"two changes",
			calendar.BillingDays{First: 15, Changes: []calendar.DayChange{{From: calendar.MustParseDate("2026-06-15"), Day: 1}, {From: calendar.MustParseDate("2026-07-01"), Day: 10}}},
			"2026-05-15–2026-06-14 closes 2026-06-15\n2026-06-15–2026-06-30 closes 2026-07-01\n2026-07-01–2026-07-09 closes 2026-07-10\n2026-07-10–2026-08-09 closes 2026-08-10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := windows(tc.days, "2026-01-20", "2026-08-20"); !strings.Contains(got, tc.window) {
				t.Errorf("windows:\n%s\nwant them to contain:\n%s", got, tc.window)
			}
		})
	}
}

// Whatever the changes, the windows tile the calendar: each day in exactly
// one window, so no charge is billed twice or skipped.
func TestWindowsTileTheCalendarAcrossBillingDayChanges(t *testing.T) {
	t.Parallel()
	for from := 1; from <= 31; from++ {
		for to := 1; to <= 31; to++ {
			s := calendar.BillingDays{First: from}
			first := calendar.AnniversaryWindow(from, calendar.MustParseDate("2024-01-20"))
			s.Changes = []calendar.DayChange{{From: first.Closes, Day: to}}
			next := calendar.MustParseDate("2023-12-01")
			for _, w := range s.WindowsFrom(calendar.BillingAnniversary, next, calendar.MustParseDate("2024-06-30")) {
				if w.Start != s.WindowOf(calendar.BillingAnniversary, next).Start || w.End < w.Start || w.Closes != w.End+1 {
					t.Fatalf("%d→%d: window %s closes %s does not follow %s", from, to, w.Period, w.Closes, next)
				}
				if w.Start > next {
					t.Fatalf("%d→%d: days %s to %s are in no window", from, to, next, w.Start-1)
				}
				next = w.End + 1
			}
		}
	}
}
