package shapeprobe

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/mwgen/mwgen/apischema"
)

// SourceKey is a result key a module's PHP source writes that no sample
// of the module produced.
type SourceKey struct {
	Module string
	Key    string
	// File is the PHP file (relative to the MediaWiki root) and Line the
	// line of the first write.
	File string
	Line int
}

func (k SourceKey) String() string {
	return fmt.Sprintf("%s %q (%s:%d)", k.Module, k.Key, k.File, k.Line)
}

var (
	classRe = regexp.MustCompile(`(?m)^\s*(?:abstract\s+|final\s+)?class\s+(\w+)(?:\s+extends\s+(\w+))?`)
	// $vals['key'] = ..., $vals['key'][] = ...
	assignRe = regexp.MustCompile(`\$(\w+)\[\s*'([A-Za-z][\w-]*)'\s*\](?:\[\])?\s*=[^=>]`)
	// 'key' => ... inside an array literal assigned to a result variable is
	// too noisy to scan; only direct assignments and addValue are read.
	addValueRe = regexp.MustCompile(`addValue\(\s*(?:\[[^\]]*\]|\$\w+|null|'[^']*')\s*,\s*'([A-Za-z][\w-]*)'`)
)

// Variables that hold query conditions, options and parameters, not results.
var notResult = map[string]bool{
	"params": true, "options": true, "conds": true, "fields": true, "opts": true, "query": true,
	"join": true, "joins": true, "tables": true, "where": true, "this": true, "settings": true,
	"extraQuery": true, "joinConds": true, "request": true, "p": true, "parserOptions": true,
	"GLOBALS": true, "queryInfo": true, "attribs": true, "conf": true, "config": true,
}

// CrossCheck scans the PHP source of every shaped module (found by class
// name under root, e.g. /usr/share/mediawiki, with the classes it
// extends) for literal result keys and returns those that appear nowhere
// in the module's shape: candidates for extending the seed or the plan.
// It is a rough, textual scan: it finds keys written as $x['key'] = or
// addValue(..., 'key', ...), not keys built at run time.
func CrossCheck(schema *apischema.Schema, shapes *apischema.Shapes, root string) ([]SourceKey, error) {
	files := map[string]string{} // class → file
	parents := map[string]string{}
	for _, dir := range []string{"includes", "extensions"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return nil
				}
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".php") || !strings.Contains(filepath.Base(path), "Api") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range classRe.FindAllSubmatch(data, -1) {
				cls := string(m[1])
				if _, dup := files[cls]; !dup {
					files[cls] = path
					parents[cls] = string(m[2])
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("scanning %s: %w", root, err)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no API classes under %s (want MediaWiki's root, with includes/api)", root)
	}
	var out []SourceKey
	for _, ms := range shapes.Modules {
		m := schema.Module(ms.Path)
		if m == nil || m.ClassName == "" {
			continue
		}
		seen := map[string]bool{}
		for _, n := range []*apischema.Node{ms.Response, ms.Generator} {
			collectKeys(n, seen)
		}
		found := map[string]SourceKey{}
		cls := m.ClassName
		if i := strings.LastIndex(cls, `\`); i >= 0 {
			cls = cls[i+1:]
		}
		for depth := 0; cls != "" && depth < 5; depth++ {
			path, ok := files[cls]
			if !ok || cls == "ApiBase" || cls == "ApiQueryBase" || cls == "ApiQueryGeneratorBase" {
				break
			}
			if err := scanKeys(path, root, ms.Path, seen, found); err != nil {
				return nil, err
			}
			cls = parents[cls]
		}
		for _, k := range slices.Sorted(maps.Keys(found)) {
			out = append(out, found[k])
		}
	}
	return out, nil
}

func collectKeys(n *apischema.Node, seen map[string]bool) {
	if n == nil {
		return
	}
	for name, f := range n.Fields {
		seen[name] = true
		collectKeys(&f.Node, seen)
	}
	collectKeys(n.Items, seen)
}

func scanKeys(path, root, module string, seen map[string]bool, found map[string]SourceKey) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	rel, _ := filepath.Rel(root, path)
	for i, line := range strings.Split(string(data), "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "//") || strings.HasPrefix(t, "*") {
			continue
		}
		add := func(key string) {
			if seen[key] {
				return
			}
			if _, ok := found[key]; !ok {
				found[key] = SourceKey{Module: module, Key: key, File: rel, Line: i + 1}
			}
		}
		for _, m := range assignRe.FindAllStringSubmatch(line, -1) {
			if !notResult[m[1]] {
				add(m[2])
			}
		}
		for _, m := range addValueRe.FindAllStringSubmatch(line, -1) {
			add(m[1])
		}
	}
	return nil
}
