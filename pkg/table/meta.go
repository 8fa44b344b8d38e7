package table

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Meta is the file's key-value metadata.
type Meta struct {
	P             int
	Op            string  // canonical operation name (arith.Lookup)
	Seed          uint64  // the split's seed
	TrainFraction float64 // as asked; the exact count is floor(fraction·rows)
	// Equals is set when the model input is "a b =" with "=" as token id P.
	Equals  bool
	Version string // version of the tool that wrote the file
	History []Step
}

// Step is one command in the file's history.
type Step struct {
	Tool    string   `json:"tool"`
	Version string   `json:"version"`
	Args    []string `json:"args"`
	Seed    *uint64  `json:"seed,omitempty"`
}

// Metadata keys, as DESIGN.md lists them.
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

// parseMeta reads the metadata back; lookup returns a key's value.
func parseMeta(lookup func(string) (string, bool)) (Meta, error) {
	get := func(k string) (string, error) {
		v, ok := lookup(k)
		if !ok {
			return "", fmt.Errorf("metadata key %q is missing (not a grokkit table?)", k)
		}
		return v, nil
	}
	var m Meta
	var err error
	var s string
	if s, err = get(keyP); err != nil {
		return m, err
	}
	if m.P, err = strconv.Atoi(s); err != nil {
		return m, fmt.Errorf("metadata p = %q is not an integer", s)
	}
	if m.Op, err = get(keyOp); err != nil {
		return m, err
	}
	if s, err = get(keySeed); err != nil {
		return m, err
	}
	if m.Seed, err = strconv.ParseUint(s, 10, 64); err != nil {
		return m, fmt.Errorf("metadata seed = %q is not an unsigned integer", s)
	}
	if s, err = get(keyTrainFraction); err != nil {
		return m, err
	}
	if m.TrainFraction, err = strconv.ParseFloat(s, 64); err != nil {
		return m, fmt.Errorf("metadata train_fraction = %q is not a number", s)
	}
	if s, err = get(keyEquals); err != nil {
		return m, err
	}
	switch s {
	case "none":
	case strconv.Itoa(m.P):
		m.Equals = true
	default:
		return m, fmt.Errorf("metadata equals_token = %q: want %d or none", s, m.P)
	}
	if m.Version, err = get(keyVersion); err != nil {
		return m, err
	}
	if s, err = get(keyHistory); err != nil {
		return m, err
	}
	if err := json.Unmarshal([]byte(s), &m.History); err != nil {
		return m, fmt.Errorf("metadata history is not a JSON list of steps: %v", err)
	}
	return m, nil
}
