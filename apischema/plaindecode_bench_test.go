package apischema

import (
	"encoding/json"
	"testing"
)

// The anchor of BenchmarkDecodeDefault (issue 14, row 5): encoding/json
// into plain structs of every field the snapshot has, with no unknown
// fields kept, no validation and no hash. Run them together:
//
//	go test ./apischema -run '^$' -bench '^Benchmark(DecodeDefault|PlainDecodeSnapshot)$' -benchmem -count 5

type plainSnapshot struct {
	Format string `json:"format"`
	Wiki   struct {
		API, Server, Sitename, WikiID, Generator, Lang string
	} `json:"wiki"`
	Fetched    string        `json:"fetched"`
	HelpFormat string        `json:"helpformat"`
	Hash       string        `json:"hash"`
	Modules    []plainModule `json:"modules"`
}

type plainModule struct {
	Name                string            `json:"name"`
	ClassName           string            `json:"classname"`
	Path                string            `json:"path"`
	Group               string            `json:"group"`
	Prefix              string            `json:"prefix"`
	Source              string            `json:"source"`
	SourceName          string            `json:"sourcename"`
	LicenseTag          string            `json:"licensetag"`
	LicenseLink         string            `json:"licenselink"`
	ReadRights          bool              `json:"readrights"`
	WriteRights         bool              `json:"writerights"`
	MustBePosted        bool              `json:"mustbeposted"`
	Generator           bool              `json:"generator"`
	Internal            bool              `json:"internal"`
	Deprecated          bool              `json:"deprecated"`
	Description         string            `json:"description"`
	DynamicParameters   string            `json:"dynamicparameters"`
	HelpURLs            []string          `json:"helpurls"`
	Examples            []json.RawMessage `json:"examples"`
	TemplatedParameters []json.RawMessage `json:"templatedparameters"`
	Parameters          []plainParam      `json:"parameters"`
}

type plainParam struct {
	Index                int                        `json:"index"`
	Name                 string                     `json:"name"`
	Type                 json.RawMessage            `json:"type"` // a string or a list of values
	Required             bool                       `json:"required"`
	Multi                bool                       `json:"multi"`
	Description          string                     `json:"description"`
	Default              json.RawMessage            `json:"default"`
	Limit                int                        `json:"limit"`
	LowLimit             int                        `json:"lowlimit"`
	HighLimit            int                        `json:"highlimit"`
	Deprecated           bool                       `json:"deprecated"`
	Min                  *int                       `json:"min"`
	Max                  *int                       `json:"max"`
	HighMax              *int                       `json:"highmax"`
	Sensitive            bool                       `json:"sensitive"`
	TokenType            string                     `json:"tokentype"`
	Subtypes             []string                   `json:"subtypes"`
	AllSpecifier         string                     `json:"allspecifier"`
	Info                 []json.RawMessage          `json:"info"`
	Submodules           map[string]json.RawMessage `json:"submodules"`
	DeprecatedValues     []json.RawMessage          `json:"deprecatedvalues"`
	ExtraNamespaces      []json.RawMessage          `json:"extranamespaces"`
	SubmoduleParamPrefix string                     `json:"submoduleparamprefix"`
	AllowsDuplicates     bool                       `json:"allowsduplicates"`
	InternalValues       []json.RawMessage          `json:"internalvalues"`
	MustExist            bool                       `json:"mustExist"`
}

func BenchmarkPlainDecodeSnapshot(b *testing.B) {
	b.SetBytes(int64(len(defaultSnapshot)))
	b.ReportAllocs()
	for range b.N {
		var s plainSnapshot
		if err := json.Unmarshal(defaultSnapshot, &s); err != nil {
			b.Fatal(err)
		}
		if len(s.Modules) == 0 {
			b.Fatal("no modules")
		}
	}
}
