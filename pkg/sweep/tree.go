package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v3"
)

// node is a spec value as either format parses it, so that one checker
// (spec.go) judges YAML and TOML specs alike and names the key at fault.
type node struct {
	kind   nodeKind
	value  any              // a scalar: string, int64, uint64, float64, bool or time.Time
	items  []*node          // a list's
	keys   []string         // a table's keys, in file order
	fields map[string]*node // a table's values
	line   int              // YAML only: its key's line, or a list item's; 0 when unknown
}

type nodeKind int

const (
	nullNode nodeKind = iota
	scalarNode
	listNode
	tableNode
)

// maxDepth bounds the tree: a valid spec is four levels deep (mutate, a
// step, a list, a value), and YAML aliases could otherwise nest forever.
const maxDepth = 6

// what names a value's type for "expected …, not what" messages.
func (n *node) what() string {
	switch n.kind {
	case nullNode:
		return "nothing"
	case listNode:
		return "a list"
	case tableNode:
		return "a table"
	}
	switch n.value.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date or time (quote it to make it a string)"
	case int64, uint64, float64:
		return "a number"
	}
	return fmt.Sprintf("a %T", n.value)
}

// errorf is an error about the value at key, with its line when known.
func (n *node) errorf(key, format string, a ...any) error {
	msg := key + ": " + fmt.Sprintf(format, a...)
	if n.line > 0 {
		msg += fmt.Sprintf(" (line %d)", n.line)
	}
	return errors.New(msg)
}

// parseYAML reads a one-document YAML spec into a tree.
func parseYAML(data []byte) (*node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, extra yaml.Node
	if err := dec.Decode(&doc); err == io.EOF {
		return nil, errors.New("the spec is empty")
	} else if err != nil {
		return nil, yamlError(err)
	}
	// A second document would be ignored silently.
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("line %d: a second YAML document (a spec is one)", extra.Line)
	} else if err != io.EOF {
		return nil, yamlError(err)
	}
	return yamlNode(&doc, "", 0)
}

// yamlError makes a YAML error one line, without the package's prefix.
func yamlError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return errors.New(strings.Join(te.Errors, "; "))
	}
	return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
}

func yamlNode(y *yaml.Node, key string, depth int) (*node, error) {
	for y.Kind == yaml.DocumentNode && len(y.Content) == 1 {
		y = y.Content[0]
	}
	for y.Kind == yaml.AliasNode && y.Alias != nil {
		y = y.Alias
	}
	n := &node{line: y.Line}
	switch y.Kind {
	case yaml.ScalarNode:
		var v any
		if err := y.Decode(&v); err != nil {
			return nil, n.errorf(key, "%v", yamlError(err))
		}
		if v == nil {
			return n, nil
		}
		n.kind, n.value = scalarNode, normalise(v)
	case yaml.SequenceNode:
		n.kind = listNode
		if depth >= maxDepth {
			return n, nil
		}
		for i, item := range y.Content {
			c, err := yamlNode(item, fmt.Sprintf("%s.%d", key, i), depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, c)
		}
	case yaml.MappingNode:
		n.kind, n.fields = tableNode, map[string]*node{}
		if depth >= maxDepth {
			return n, nil
		}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, err := yamlKey(y.Content[i], key)
			if err != nil {
				return nil, err
			}
			sub := join(key, k)
			if _, dup := n.fields[k]; dup {
				return nil, (&node{line: y.Content[i].Line}).errorf(sub, "given twice")
			}
			c, err := yamlNode(y.Content[i+1], sub, depth+1)
			if err != nil {
				return nil, err
			}
			c.line = y.Content[i].Line // errors point at the key
			n.keys, n.fields[k] = append(n.keys, k), c
		}
	default:
		return nil, n.errorf(key, "not a value, list or table")
	}
	return n, nil
}

// yamlKey is a mapping key, which must be a plain name.
func yamlKey(k *yaml.Node, parent string) (string, error) {
	at := &node{line: k.Line}
	switch {
	case k.Tag == "!!merge":
		return "", at.errorf(join(parent, k.Value), "YAML merge keys are not supported (write the options out)")
	case k.Kind != yaml.ScalarNode:
		return "", at.errorf(parent, "a key must be a name")
	}
	return k.Value, nil
}

// normalise gives YAML's and TOML's integers one type.
func normalise(v any) any {
	if i, ok := v.(int); ok {
		return int64(i)
	}
	return v
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// parseTOML reads a TOML spec into a tree, tables keeping their file order.
func parseTOML(data []byte) (*node, error) {
	var doc map[string]any
	md, err := toml.Decode(string(data), &doc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("line %d: %s", pe.Position.Line, pe.Message)
		}
		return nil, errors.New(strings.TrimPrefix(err.Error(), "toml: "))
	}
	// Keys() lists every key in file order; a table's keys are the next
	// component of the keys under its path (dotted keys included).
	order := map[string][]string{}
	for _, k := range md.Keys() {
		for i := range k {
			parent := strings.Join(k[:i], "\x00")
			if !slices.Contains(order[parent], k[i]) {
				order[parent] = append(order[parent], k[i])
			}
		}
	}
	return tomlNode(doc, "", order, 0, false), nil
}

// tomlNode converts one decoded value. Tables inside arrays get sorted keys:
// TOML's metadata does not tell the order of each element's keys apart.
func tomlNode(v any, path string, order map[string][]string, depth int, inArray bool) *node {
	switch x := v.(type) {
	case map[string]any:
		n := &node{kind: tableNode, fields: map[string]*node{}}
		if depth >= maxDepth {
			return n
		}
		keys := tableKeys(x, order[path], inArray)
		for _, k := range keys {
			n.keys = append(n.keys, k)
			sub := k
			if path != "" {
				sub = path + "\x00" + k
			}
			n.fields[k] = tomlNode(x[k], sub, order, depth+1, inArray)
		}
		return n
	case []map[string]any:
		items := make([]any, len(x))
		for i := range x {
			items[i] = x[i]
		}
		return tomlNode(items, path, order, depth, inArray)
	case []any:
		n := &node{kind: listNode}
		if depth >= maxDepth {
			return n
		}
		for _, item := range x {
			n.items = append(n.items, tomlNode(item, path, order, depth+1, true))
		}
		return n
	}
	return &node{kind: scalarNode, value: v}
}

// tableKeys orders a table's keys: file order where known, else sorted.
func tableKeys(m map[string]any, fileOrder []string, inArray bool) []string {
	var keys []string
	if !inArray {
		for _, k := range fileOrder {
			if _, ok := m[k]; ok {
				keys = append(keys, k)
			}
		}
	}
	var rest []string
	for k := range m {
		if !slices.Contains(keys, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(keys, rest...)
}
