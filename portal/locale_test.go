package portal

import "testing"

// The language chooser goes back only to a path of this portal, however a
// browser would read what it is given.
func TestTheLanguageChooserGoesBackOnlyToThisPortal(t *testing.T) {
	for back, want := range map[string]string{
		"/accounts/P1/pay?x=1": "/accounts/P1/pay?x=1", "/": "/", "": "/",
		"//evil.example/": "/", "/\\evil.example": "/", "/\t/evil.example": "/", "/\n/evil.example": "/",
		"https://evil.example/": "/", "evil.example": "/", "javascript:alert(1)": "/",
	} {
		if got := ownPath(back); got != want {
			t.Errorf("ownPath(%q) = %q, want %q", back, got, want)
		}
	}
}
