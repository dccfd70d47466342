package calendar

// DayChange is an operator's change of an account's billing day: from From
// on, its anniversary windows follow Day (§7).
type DayChange struct {
	From Date
	Day  int
}

// BillingDays is an account's billing day over time: First until the first
// change, then each change from its date on, in date order. A change takes
// effect after the last closed window, through one transition window from
// its date up to the day before the new billing day (§7); the windows
// before and after it tile the calendar as before, so no day is billed twice
// or skipped.
type BillingDays struct {
	First   int
	Changes []DayChange
}

// FixedDay is the billing day of an account that never changed it.
func FixedDay(day int) BillingDays { return BillingDays{First: day} }

// Current is the billing day in effect after every change.
func (s BillingDays) Current() int {
	if n := len(s.Changes); n > 0 {
		return s.Changes[n-1].Day
	}
	return s.First
}

// WindowOf is the window of the given billing that holds d.
func (s BillingDays) WindowOf(b Billing, d Date) Window {
	if b == BillingCalendar {
		return CalendarWindow(d)
	}
	day, from, i := s.First, Date(0), -1
	for k, c := range s.Changes {
		if c.From <= d {
			day, from, i = c.Day, c.From, k
		}
	}
	w := AnniversaryWindow(day, d)
	if i >= 0 && w.Start < from {
		// The transition window: from the change up to the day before
		// the new billing day.
		w.Start = from
	}
	if i+1 < len(s.Changes) && w.End >= s.Changes[i+1].From {
		// A later change starts where this window would go on.
		w.End, w.Closes = s.Changes[i+1].From-1, s.Changes[i+1].From
	}
	return w
}

// WindowsDue lists the windows a run as of asOf must close, oldest first,
// from the window holding from (catch-up, §3).
func (s BillingDays) WindowsDue(b Billing, from, asOf Date, graceDays int) []Window {
	var out []Window
	for w := s.WindowOf(b, from); w.Due(asOf, graceDays); w = s.WindowOf(b, w.End+1) {
		out = append(out, w)
	}
	return out
}

// WindowsFrom lists the windows from the one holding from to the one
// holding to, oldest first.
func (s BillingDays) WindowsFrom(b Billing, from, to Date) []Window {
	var out []Window
	for w := s.WindowOf(b, from); w.Start <= to; w = s.WindowOf(b, w.End+1) {
		out = append(out, w)
	}
	return out
}
