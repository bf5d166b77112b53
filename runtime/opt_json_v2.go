//go:build !mwgen_jsonv1

package runtime

import (
	"reflect"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// elemType is T: the runtime's paths into typed answers go through an Opt
// to the T it holds (see jsonPath).
func (Opt[T]) elemType() reflect.Type { return reflect.TypeFor[T]() }

// optional is implemented by every Opt.
type optional interface{ elemType() reflect.Type }

// UnmarshalJSONFrom is how the runtime's decoder (encoding/json/v2, see
// decodeOptions) decodes an Opt: null unsets o, any other value is
// decoded into T by the same decoder with the same options, so that o
// holds what a T field would and fails where it would, at the same path.
func (o *Opt[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		*o = Opt[T]{}
		return nil
	}
	// Into o's own T (a local one would be allocated for each value).
	*o = Opt[T]{}
	if err := jsonv2.UnmarshalDecode(dec, &o.v); err != nil {
		*o = Opt[T]{}
		return err
	}
	o.ok = true
	return nil
}
