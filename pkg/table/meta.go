package table

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/grokkit/grokkit/pkg/arith"
)

// Meta is the file's key-value metadata. Its JSON form (config.json's
// data.meta) is snake_case; UnmarshalJSON also reads the Go field names
// that config.json had before ("P", "TrainFraction", …).
type Meta struct {
	P             int     `json:"p"`
	Op            string  `json:"op"`             // canonical operation name (arith.Lookup)
	Seed          uint64  `json:"seed"`           // the split's seed
	TrainFraction float64 `json:"train_fraction"` // as asked; the exact count is floor(fraction·rows)
	// Equals is set when the model input is "a b =" with "=" as token id P.
	Equals  bool   `json:"equals"`
	Version string `json:"version"` // version of the tool that wrote the file
	History []Step `json:"history"`
}

// legacyMetaKeys maps the keys of Meta in config.json files written before
// they were snake_case (Go's field names) to today's.
var legacyMetaKeys = [][2]string{
	{"P", "p"}, {"Op", "op"}, {"Seed", "seed"}, {"TrainFraction", "train_fraction"},
	{"Equals", "equals"}, {"Version", "version"}, {"History", "history"},
}

// UnmarshalJSON reads Meta with today's keys or with the Go field names of
// older config.json files (not both for one field).
func (m *Meta) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	for _, k := range legacyMetaKeys {
		old, key := k[0], k[1]
		v, ok := raw[old]
		if !ok {
			continue
		}
		if _, both := raw[key]; both {
			return fmt.Errorf("metadata has both %q and %q", old, key)
		}
		raw[key] = v
		delete(raw, old)
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	type plain Meta // without this method
	return json.Unmarshal(data, (*plain)(m))
}

// Step is one command in the file's history.
type Step struct {
	Tool    string   `json:"tool"`
	Version string   `json:"version"`
	Args    []string `json:"args"`
	Seed    *uint64  `json:"seed,omitempty"`
}

// Metadata keys: the contract between the tools (README, "The data table").
const (
	keyP             = "p"
	keyOp            = "op"
	keySeed          = "seed"
	keyTrainFraction = "train_fraction"
	keyEquals        = "equals_token"
	keyVersion       = "grokkit_version"
	keyHistory       = "history"
)

// EqualsToken is the token id of "=" when the input carries it, else -1.
func (m Meta) EqualsToken() int {
	if m.Equals {
		return m.P
	}
	return -1
}

// pairs renders the metadata as ordered key-value pairs: a fixed order keeps
// the file bytes deterministic.
func (m Meta) pairs() [][2]string {
	hist, _ := json.Marshal(m.History) // Step has only marshalable fields
	eq := "none"
	if m.Equals {
		eq = strconv.Itoa(m.P)
	}
	return [][2]string{
		{keyP, strconv.Itoa(m.P)},
		{keyOp, m.Op},
		{keySeed, strconv.FormatUint(m.Seed, 10)},
		{keyTrainFraction, strconv.FormatFloat(m.TrainFraction, 'g', -1, 64)},
		{keyEquals, eq},
		{keyVersion, m.Version},
		{keyHistory, string(hist)},
	}
}

// metaKeys are the keys in the order Write puts them.
var metaKeys = []string{keyP, keyOp, keySeed, keyTrainFraction, keyEquals, keyVersion, keyHistory}

// parseMeta reads the metadata back; lookup returns a key's value.
//
// A file without our metadata (DuckDB, pandas and polars drop it unless
// told to keep it) is refused, not completed from its rows: seed and
// history cannot be recovered at all, train_fraction only to an interval,
// and p and op are ambiguous for small p or a table without every pair. The
// metadata is what traces a run back to the commands that made its data, so
// a guess would pass for a record. The error says how to keep it instead.
func parseMeta(lookup func(string) (string, bool)) (Meta, error) {
	v := map[string]string{}
	var missing []string
	for _, k := range metaKeys {
		s, ok := lookup(k)
		if !ok {
			missing = append(missing, k)
		}
		v[k] = s
	}
	if len(missing) > 0 {
		return Meta{}, missingKeys(missing)
	}
	var m Meta
	var err error
	if m.P, err = strconv.Atoi(v[keyP]); err != nil {
		return m, fmt.Errorf("metadata p = %q is not an integer", v[keyP])
	}
	m.Op = v[keyOp]
	if m.Seed, err = strconv.ParseUint(v[keySeed], 10, 64); err != nil {
		return m, fmt.Errorf("metadata seed = %q is not an unsigned integer", v[keySeed])
	}
	if m.TrainFraction, err = strconv.ParseFloat(v[keyTrainFraction], 64); err != nil {
		return m, fmt.Errorf("metadata train_fraction = %q is not a number", v[keyTrainFraction])
	}
	switch s := v[keyEquals]; s {
	case "none":
	case strconv.Itoa(m.P):
		m.Equals = true
	default:
		return m, fmt.Errorf("metadata equals_token = %q: want %d (p) or none", s, m.P)
	}
	m.Version = v[keyVersion]
	if err := json.Unmarshal([]byte(v[keyHistory]), &m.History); err != nil {
		return m, fmt.Errorf("metadata history is not a JSON list of steps: %v", err)
	}
	return m, nil
}

// missingKeys says which keys are gone and how to keep them.
func missingKeys(keys []string) error {
	what := fmt.Sprintf("metadata key %q is missing", keys[0])
	if len(keys) > 1 {
		what = fmt.Sprintf("metadata keys %s are missing", strings.Join(keys, ", "))
	}
	return fmt.Errorf("%s: whatever wrote the file dropped grokkit's key-value metadata; copy it from the source table "+
		"(DuckDB: COPY ... TO ... (KV_METADATA {...}), as scripts/duckdb-copy.mjs does; pyarrow: keep the schema's metadata)", what)
}

// check holds the metadata to what moddata accepts from its flags (the
// same checks, shared with Generate).
func (m Meta) check() error {
	op, err := arith.Lookup(m.Op)
	if err != nil {
		return fmt.Errorf("metadata op: %v", err)
	}
	if op.Name != m.Op {
		return fmt.Errorf("metadata op = %q: write the canonical name %q", m.Op, op.Name)
	}
	if err := op.CheckP(m.P); err != nil {
		return fmt.Errorf("metadata: %v", err)
	}
	if err := checkFraction(m.TrainFraction); err != nil {
		return fmt.Errorf("metadata train_fraction %v", err)
	}
	if m.History == nil {
		return fmt.Errorf("metadata history is null, want a JSON list of steps")
	}
	for i, s := range m.History {
		if s.Tool == "" {
			return fmt.Errorf("metadata history step %d has no tool", i+1)
		}
	}
	return nil
}
