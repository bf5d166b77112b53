package runtime

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestJoinMulti(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"none", nil, ""},
		{"one", []string{"Main Page"}, "Main Page"},
		{"several", []string{"A", "B", "C"}, "A|B|C"},
		{"single empty value", []string{""}, "|"},
		{"empty among others", []string{"A", ""}, "A|"},
		{"pipe uses U+001F with a leading separator", []string{"A|B", "C"}, "\x1fA|B\x1fC"},
		{"single value with pipe", []string{"x|y"}, "\x1fx|y"},
		{"unicode", []string{"Ünïcødé", "日本"}, "Ünïcødé|日本"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := JoinMulti(tt.in); got != tt.want {
				t.Errorf("JoinMulti(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTypedSetters(t *testing.T) {
	when := time.Date(2024, 5, 1, 14, 30, 15, 999_000_000, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		name    string
		set     func(p *Params)
		want    string // Form(), "" when nothing is sent
		present bool
	}{
		{"text", func(p *Params) { p.Text("x", "a b&c") }, "x=a+b%26c", true},
		{"text empty is omitted", func(p *Params) { p.Text("x", "") }, "", false},
		{"opt text unset is omitted", func(p *Params) { p.OptText("x", Opt[string]{}) }, "", false},
		{"opt text empty is sent", func(p *Params) { p.OptText("x", Set("")) }, "x=", true},
		{"bool true", func(p *Params) { p.Bool("x", true) }, "x=1", true},
		{"bool false is omitted", func(p *Params) { p.Bool("x", false) }, "", false},
		{"int unset is omitted", func(p *Params) { p.Int("x", Opt[int]{}) }, "", false},
		{"int zero is sent", func(p *Params) { p.Int("x", Set(0)) }, "x=0", true},
		{"int negative", func(p *Params) { p.Int("x", Set(-12)) }, "x=-12", true},
		{"ints", func(p *Params) { p.Ints("x", []int{1, 22, 333}) }, "x=1%7C22%7C333", true},
		{"ints empty is omitted", func(p *Params) { p.Ints("x", []int{}) }, "", false},
		{"strings", func(p *Params) { p.Strings("x", []string{"A", "B"}) }, "x=A%7CB", true},
		{"strings nil is omitted", func(p *Params) { p.Strings("x", nil) }, "", false},
		{"strings single empty", func(p *Params) { p.Strings("x", []string{""}) }, "x=%7C", true},
		{"strings with pipe", func(p *Params) { p.Strings("x", []string{"a|b", "c"}) }, "x=%1Fa%7Cb%1Fc", true},
		{"limit unset is omitted", func(p *Params) { p.Limit("x", 0) }, "", false},
		{"limit number", func(p *Params) { p.Limit("x", 50) }, "x=50", true},
		{"limit max", func(p *Params) { p.Limit("x", Max) }, "x=max", true},
		{"namespace unset is omitted", func(p *Params) { p.Namespace("x", Opt[Namespace]{}) }, "", false},
		{"namespace main is sent", func(p *Params) { p.Namespace("x", Set(NamespaceMain)) }, "x=0", true},
		{"namespace special", func(p *Params) { p.Namespace("x", Set(NamespaceSpecial)) }, "x=-1", true},
		{"namespaces", func(p *Params) { p.Namespaces("x", []Namespace{0, 14, 6}) }, "x=0%7C14%7C6", true},
		{"timestamp UTC seconds", func(p *Params) { p.Timestamp("x", At(when)) }, "x=2024-05-01T12%3A30%3A15Z", true},
		{"timestamp now", func(p *Params) { p.Timestamp("x", Now()) }, "x=now", true},
		{"timestamp unset is omitted", func(p *Params) { p.Timestamp("x", Timestamp{}) }, "", false},
		{"timestamp zero time is set", func(p *Params) { p.Timestamp("x", At(time.Time{})) }, "x=0001-01-01T00%3A00%3A00Z", true},
		{"file nil is omitted", func(p *Params) { p.File("x", nil) }, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := new(Params)
			tt.set(p)
			if got := p.Form(); got != tt.want {
				t.Errorf("Form() = %q, want %q", got, tt.want)
			}
			if got := p.Has("x"); got != tt.present {
				t.Errorf("Has(x) = %v, want %v", got, tt.present)
			}
			// Setting an unset value again removes a present one.
			p.Set("x", "old")
			tt.set(p)
			if got := p.Form(); got != tt.want {
				t.Errorf("over an old value: Form() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOpt(t *testing.T) {
	var unset Opt[int]
	if v, ok := unset.Get(); ok || v != 0 || unset.IsSet() {
		t.Errorf("zero Opt: Get() = %v, %v; IsSet() = %v; want 0, false, false", v, ok, unset.IsSet())
	}
	zero := Set(0)
	if v, ok := zero.Get(); !ok || v != 0 || !zero.IsSet() {
		t.Errorf("Set(0): Get() = %v, %v; want 0, true", v, ok)
	}
	if got := unset.Or(7); got != 7 {
		t.Errorf("unset.Or(7) = %d", got)
	}
	if got := Set(3).Or(7); got != 3 {
		t.Errorf("Set(3).Or(7) = %d", got)
	}
	if unset == zero {
		t.Error("unset Opt equals Set(0)")
	}
}

func TestLimitAndTimestampString(t *testing.T) {
	for l, want := range map[Limit]string{0: "", Max: "max", 1: "1", 500: "500"} {
		if got := l.String(); got != want {
			t.Errorf("Limit(%d).String() = %q, want %q", int(l), got, want)
		}
	}
	ny := time.Date(2023, 12, 31, 23, 0, 0, 0, time.FixedZone("EST", -5*3600))
	tests := []struct {
		ts      Timestamp
		want    string
		set     bool
		now     bool
		hasTime bool
	}{
		{Timestamp{}, "", false, false, false},
		{Now(), "now", true, true, false},
		{At(ny), "2024-01-01T04:00:00Z", true, false, true},
	}
	for _, tt := range tests {
		if got := tt.ts.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
		_, hasTime := tt.ts.Time()
		if tt.ts.IsSet() != tt.set || tt.ts.IsNow() != tt.now || hasTime != tt.hasTime {
			t.Errorf("%q: IsSet, IsNow, Time ok = %v, %v, %v; want %v, %v, %v",
				tt.want, tt.ts.IsSet(), tt.ts.IsNow(), hasTime, tt.set, tt.now, tt.hasTime)
		}
	}
}

func TestParamsOrderAndDeterminism(t *testing.T) {
	build := func() *Params {
		p := new(Params)
		p.Text("list", "allpages")
		p.Text("apprefix", "Foo")
		p.Limit("aplimit", Max)
		p.Namespace("apnamespace", Set(NamespaceMain))
		p.Bool("apminsize", false)
		return p
	}
	want := "list=allpages&apprefix=Foo&aplimit=max&apnamespace=0"
	for i := 0; i < 20; i++ {
		if got := build().Form(); got != want {
			t.Fatalf("Form() = %q, want %q", got, want)
		}
	}
	p := build()
	// Replacing keeps the position; deleting and re-adding moves to the end.
	p.Text("apprefix", "Bar")
	p.Del("list")
	p.Text("list", "allpages")
	if got, want := p.Form(), "apprefix=Bar&aplimit=max&apnamespace=0&list=allpages"; got != want {
		t.Errorf("after edits Form() = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"apprefix", "aplimit", "apnamespace", "list"}, p.Names()); diff != "" {
		t.Errorf("Names() (-want +got):\n%s", diff)
	}
	if v, ok := p.Get("aplimit"); !ok || v != "max" {
		t.Errorf("Get(aplimit) = %q, %v", v, ok)
	}
	if _, ok := p.Get("nope"); ok {
		t.Error("Get(nope) reported present")
	}
	if diff := cmp.Diff(url.Values{"apprefix": {"Bar"}, "aplimit": {"max"}, "apnamespace": {"0"}, "list": {"allpages"}}, p.Values()); diff != "" {
		t.Errorf("Values() (-want +got):\n%s", diff)
	}

	// Clone is independent.
	q := p.Clone()
	q.Text("apprefix", "Baz")
	q.Sensitive("apprefix")
	if v, _ := p.Get("apprefix"); v != "Bar" || p.IsSensitive("apprefix") {
		t.Errorf("changing a clone changed the original: %q", p.String())
	}
	var nilParams *Params
	if nilParams.Clone().Len() != 0 || nilParams.Len() != 0 || nilParams.Names() != nil {
		t.Error("nil Params is not empty")
	}
}

func TestMerge(t *testing.T) {
	p := new(Params)
	p.Text("list", "allpages")
	p.Limit("aplimit", 10)
	p.Merge(url.Values{
		"aplimit":   {"20"},       // the caller wins, in place
		"zz":        {"last"},     // new names: appended, sorted
		"apfrom":    {"B"},        //
		"titles":    {"A|B", "C"}, // several values: multi encoding
		"ignored":   {},           // no value: ignored
		"apminsize": {"0"},        // raw: sent as is
	})
	want := "list=allpages&aplimit=20&apfrom=B&apminsize=0&titles=%1FA%7CB%1FC&zz=last"
	if got := p.Form(); got != want {
		t.Errorf("Form() = %q, want %q", got, want)
	}
}

func TestStringRedacts(t *testing.T) {
	p := new(Params)
	p.Text("lgname", "Admin@bot")
	p.Sensitive("lgpassword")
	p.Text("lgpassword", "hunter2 secret")
	p.Text("summary", strings.Repeat("x", 300))
	p.File("file", &File{Name: "Cat photo.jpg", Content: strings.NewReader("data")})
	p.Set("token", "abc+\\")
	p.Sensitive("token")
	got := p.String()
	for _, secret := range []string{"hunter2", "secret", "abc"} {
		if strings.Contains(got, secret) {
			t.Errorf("String() = %q leaks %q", got, secret)
		}
	}
	want := "lgname=Admin%40bot&lgpassword=***&summary=" + strings.Repeat("x", 100) + "...%28300+bytes%29&file=<file Cat+photo.jpg>&token=***"
	if got != want {
		t.Errorf("String() =\n%q, want\n%q", got, want)
	}
	if got := p.LogValue().String(); got != want {
		t.Errorf("LogValue() = %q, want String()", got)
	}
	// Form is the real thing, secrets included, files left out.
	if got, want := p.Form(), "lgname=Admin%40bot&lgpassword=hunter2+secret&summary="+strings.Repeat("x", 300)+"&token=abc%2B%5C"; got != want {
		t.Errorf("Form() = %q, want %q", got, want)
	}
	if !p.HasFiles() {
		t.Error("HasFiles() = false")
	}
	if _, ok := p.Get("file"); ok {
		t.Error("Get reports a file as a value")
	}
}
