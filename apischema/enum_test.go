package apischema

import "testing"

func TestEnumSource(t *testing.T) {
	enum := func(name string, values ...string) *Param {
		return &Param{Name: name, Type: Type{Name: TypeEnum, Values: append([]string{}, values...)}}
	}
	tests := []struct {
		mod      *Module
		p        *Param
		want     EnumSource
		volatile bool
		open     bool
	}{
		{&Module{Path: "edit"}, enum("tags", "a"), EnumVolatile, true, true},
		{&Module{Path: "query+recentchanges", Prefix: "rc"}, enum("tagfilter"), EnumVolatile, true, true},
		{&Module{Path: "tag"}, enum("add", "x"), EnumVolatile, true, true},
		{&Module{Path: "edit"}, enum("contentmodel", "wikitext"), EnumConfigured, false, true},
		{&Module{Path: "query+allusers", Prefix: "au"}, enum("group", "sysop"), EnumConfigured, false, true},
		{&Module{Path: "query+tokens"}, enum("type", "csrf"), EnumConfigured, false, true},
		{&Module{Path: "edit"}, enum("contentformat", "text/x-wiki"), EnumConfigured, false, true},
		{&Module{Path: "query+allpages", Prefix: "ap"}, enum("filterredir", "all"), EnumFixed, false, false},
		{&Module{Path: "x"}, enum("empty"), EnumFixed, false, true},
		{&Module{Path: "edit"}, &Param{Name: "tags", Type: Type{Name: TypeString}}, EnumFixed, false, false},
		{&Module{Path: "main"}, &Param{Name: "action", Type: Type{Name: TypeEnum, Values: []string{"edit"}}, Submodules: map[string]string{"edit": "edit"}}, EnumFixed, false, false},
	}
	for _, tc := range tests {
		if got := EnumSourceOf(tc.mod, tc.p); got != tc.want {
			t.Errorf("EnumSourceOf(%s, %s) = %d, want %d", tc.mod.Path, tc.p.Name, got, tc.want)
		}
		if got := VolatileEnum(tc.mod, tc.p); got != tc.volatile {
			t.Errorf("VolatileEnum(%s, %s) = %t", tc.mod.Path, tc.p.Name, got)
		}
		if got := OpenEnum(tc.mod, tc.p); got != tc.open {
			t.Errorf("OpenEnum(%s, %s) = %t", tc.mod.Path, tc.p.Name, got)
		}
	}
}
