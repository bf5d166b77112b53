package shapeprobe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// TNode is one value of a trace: a PHP scalar (Scalar is "int", "float",
// "string", "bool", "null" or "other") or an array with its ApiResult type,
// metadata and children in PHP order.
type TNode struct {
	Scalar   string
	Type     string // ApiResult _type, "" when unset
	Meta     map[string]json.RawMessage
	Children []TChild
}

// TChild is one entry of a traced array. IntKey is set when PHP's key was
// an integer (Key then holds its decimal spelling).
type TChild struct {
	Key    string
	IntKey bool
	Node   *TNode
}

// ParseTrace decodes the hook's trace tree ("root" of the trace).
func ParseTrace(data []byte) (*TNode, error) {
	n, err := parseNode(data, 0)
	if err != nil {
		return nil, fmt.Errorf("the trace is malformed: %w", err)
	}
	return n, nil
}

const maxDepth = 200

func parseNode(data []byte, depth int) (*TNode, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxDepth)
	}
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, err
		}
		switch s {
		case "int", "float", "string", "bool", "null", "other":
			return &TNode{Scalar: s}, nil
		}
		return nil, fmt.Errorf("unknown scalar type %q", s)
	}
	var raw struct {
		T *string                    `json:"t"`
		M map[string]json.RawMessage `json:"m"`
		C []json.RawMessage          `json:"c"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	n := &TNode{Meta: raw.M}
	if raw.T != nil {
		n.Type = *raw.T
	}
	for i, c := range raw.C {
		var pair []json.RawMessage
		if err := json.Unmarshal(c, &pair); err != nil || len(pair) != 2 {
			return nil, fmt.Errorf("child #%d is not a [key, node] pair", i)
		}
		var ch TChild
		k := bytes.TrimSpace(pair[0])
		if len(k) > 0 && k[0] == '"' {
			if err := json.Unmarshal(k, &ch.Key); err != nil {
				return nil, err
			}
		} else {
			v, err := strconv.ParseInt(string(k), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("child #%d: key %s is neither a string nor an int", i, k)
			}
			ch.Key, ch.IntKey = strconv.FormatInt(v, 10), true
		}
		child, err := parseNode(pair[1], depth+1)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ch.Key, err)
		}
		ch.Node = child
		n.Children = append(n.Children, ch)
	}
	return n, nil
}

// kind says what JSON the formatter (formatversion=2) makes of the node,
// following ApiResult::applyTransformations.
func (n *TNode) kind() string {
	if n.Scalar != "" {
		return n.Scalar
	}
	allInt, seq := true, true
	for i, c := range n.Children {
		if !c.IntKey {
			allInt = false
		}
		if !c.IntKey || c.Key != strconv.Itoa(i) {
			seq = false
		}
	}
	switch n.Type {
	case "array", "BCarray":
		return "list"
	case "kvp", "BCkvp":
		return "map"
	case "assoc", "BCassoc":
		if len(n.Children) > 0 && allInt {
			return "map"
		}
		return "object"
	}
	switch {
	case len(n.Children) == 0:
		return "empty"
	case seq:
		return "list"
	case allInt:
		return "map"
	}
	return "object"
}

// metaString returns a string metadata item.
func (n *TNode) metaString(key string) string {
	var s string
	if raw, ok := n.Meta[key]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

// metaStrings returns a list-of-strings metadata item.
func (n *TNode) metaStrings(key string) []string {
	var s []string
	if raw, ok := n.Meta[key]; ok {
		if json.Unmarshal(raw, &s) != nil {
			// PHP may send a list as an object when keys are sparse.
			var m map[string]string
			if json.Unmarshal(raw, &m) == nil {
				for _, v := range m {
					s = append(s, v)
				}
			}
		}
	}
	return s
}
