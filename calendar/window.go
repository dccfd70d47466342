package calendar

import "time"

// Period is a run of calendar days, both ends included.
type Period struct {
	Start, End Date
}

// Days is the number of days of the period, both ends included.
func (p Period) Days() int { return int(p.End-p.Start) + 1 }

// Contains reports whether d falls within the period.
func (p Period) Contains(d Date) bool { return p.Start <= d && d <= p.End }

func (p Period) String() string { return p.Start.String() + "–" + p.End.String() }

// Billing is how a product is billed (§2).
type Billing string

// The two billings.
const (
	BillingAnniversary Billing = "anniversary"
	BillingCalendar    Billing = "calendar"
)

// Window is a billing window and the date it closes on, which is the issue
// date of its invoice (§3).
type Window struct {
	Period
	Closes Date
}

// calendarCloseDay is the day of the next month on which a calendar window closes.
const calendarCloseDay = 8

// AnniversaryWindow is the window of an account with billing day D that holds
// date d: from clamp(D, M) to the day before clamp(D, M+1), closing on
// clamp(D, M+1). With D = 31, Jan 31–Feb 27 closes Feb 28 (Feb 29 in a leap year).
func AnniversaryWindow(billingDay int, d Date) Window {
	y, m, _ := d.Civil()
	start := Clamp(billingDay, y, m)
	if d < start {
		start = Clamp(billingDay, y, m-1)
		y, m, _ = start.Civil()
	}
	closes := Clamp(billingDay, y, m+1)
	return Window{Period: Period{Start: start, End: closes - 1}, Closes: closes}
}

// CalendarWindow is the calendar month holding d; it closes on the 8th of the
// next month.
func CalendarWindow(d Date) Window {
	y, m, _ := d.Civil()
	start := fromCivil(y, int(m), 1)
	end := fromCivil(y, int(m), DaysIn(y, m))
	ny, nm := normalise(y, int(m)+1)
	return Window{Period: Period{Start: start, End: end}, Closes: fromCivil(ny, int(nm), calendarCloseDay)}
}

// WindowOf is the window of the given billing that holds d; billingDay
// matters only for anniversary billing.
func WindowOf(b Billing, billingDay int, d Date) Window {
	if b == BillingCalendar {
		return CalendarWindow(d)
	}
	return AnniversaryWindow(billingDay, d)
}

// Next is the window that follows w.
func (w Window) Next(b Billing, billingDay int) Window {
	return WindowOf(b, billingDay, w.End+1)
}

// Due reports whether a run as of date asOf closes w, waiting graceDays after
// its closing date (§3).
func (w Window) Due(asOf Date, graceDays int) bool {
	return asOf >= w.Closes+Date(graceDays)
}

// WindowsDue lists the windows a run as of asOf must close, oldest first,
// from the window holding from (catch-up, §3).
func WindowsDue(b Billing, billingDay int, from, asOf Date, graceDays int) []Window {
	var out []Window
	for w := WindowOf(b, billingDay, from); w.Due(asOf, graceDays); w = w.Next(b, billingDay) {
		out = append(out, w)
	}
	return out
}

// Term is term k (k = 0 for the first) of a licence subscription started on
// start, anchored on start's day of month A: from clamp(A, month(start)+k)
// to the day before clamp(A, month(start)+k+1) (§4). Started Jan 31,
// the terms are Jan 31–Feb 27, Feb 28–Mar 30, Mar 31–Apr 29, ...
func Term(start Date, k int) Period {
	y, m, a := start.Civil()
	return Period{Start: Clamp(a, y, m+time.Month(k)), End: Clamp(a, y, m+time.Month(k+1)) - 1}
}

// TermOf returns the index and period of the term of a subscription started
// on start that holds d (d must not be before start).
func TermOf(start, d Date) (int, Period) {
	sy, sm, _ := start.Civil()
	y, m, _ := d.Civil()
	k := (y-sy)*12 + int(m-sm)
	if t := Term(start, k); d < t.Start {
		k--
	}
	return k, Term(start, k)
}
