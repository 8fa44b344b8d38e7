package model

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/gomlx/compute/dtypes"
)

// Description is everything the tools know about a network, written once
// beside the network and registered from its file's init:
//
//	func init() { Register(Description{Name: "mine", …}) }
//
// fit's --model choices and the size flags it accepts, the input format,
// the sizes config.json records, the memory estimate, packing and which
// analyses apply all follow from it.
type Description struct {
	Name    string // fit --model NAME
	Summary string // one line for fit --help

	// Sizes are the size flags the network reads (SizeFlags names them);
	// fit refuses the others for this network.
	Sizes []string

	// Defaults are the published sizes at modulus p.
	Defaults func(p int) Config

	// Derive, if set, fills sizes that follow from others given (power's
	// d_head is d_model/n_heads) before the defaults fill the rest.
	Derive func(c Config) (Config, error)

	// New builds the network from complete sizes.
	New func(c Config) (Model, error)

	// Equals: the network reads "a b =" (inputs [batch, 3]), else "a b".
	Equals bool

	// ActivationsPerRow estimates the float32 values a training step keeps
	// per row for the backward pass (the forward's), for fit's memory check.
	ActivationsPerRow func(c Config) int64

	// Analyses lists the analyses that understand this network
	// (AnalysisFourier, AnalysisDetect); the others refuse its runs.
	Analyses []string

	// Before gives, by choice flag, the form a run recorded without that
	// choice was trained with (the network as it was before the choice
	// existed, when its default became something else).
	Before map[string]string
}

// The analyses a network may support.
const (
	AnalysisFourier = "fourier"          // fourier RUN
	AnalysisDetect  = "evalsplit-detect" // evalsplit --detect
)

// SizeFlags are the size settings a network may read, by fit flag name,
// with the Config field each sets. Parameterization (a choice, not a size)
// is the flag "parameterization".
var SizeFlags = map[string]func(*Config) *int{
	"d-model":  func(c *Config) *int { return &c.DModel },
	"n-heads":  func(c *Config) *int { return &c.NHeads },
	"d-head":   func(c *Config) *int { return &c.DHead },
	"d-mlp":    func(c *Config) *int { return &c.DMLP },
	"n-layers": func(c *Config) *int { return &c.NLayers },
	"width":    func(c *Config) *int { return &c.Width },
}

// The settings that are not integer sizes: the choices (ChoiceFlags) and
// Zhong et al.'s attention rate α (Config.ConstantAttention = 1 − α).
const (
	ParameterizationFlag = "parameterization"
	NormFlag             = "norm"
	PosFlag              = "pos"
	InitFlag             = "init"
	AttentionRateFlag    = "attention-rate"
)

// ChoiceFlags are the settings that choose among named forms of a network,
// by fit flag name, with the Config field each sets. A network's Defaults
// give the value when none is given, and its New refuses one it does not
// know.
var ChoiceFlags = map[string]func(*Config) *string{
	ParameterizationFlag: func(c *Config) *string { return &c.Parameterization },
	NormFlag:             func(c *Config) *string { return &c.Norm },
	PosFlag:              func(c *Config) *string { return &c.Pos },
	InitFlag:             func(c *Config) *string { return &c.Init },
}

// SettingFlags lists every setting a network may read, sorted: the
// SizeFlags, the ChoiceFlags and AttentionRateFlag.
func SettingFlags() []string {
	names := []string{AttentionRateFlag}
	for n := range SizeFlags {
		names = append(names, n)
	}
	for n := range ChoiceFlags {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Description{}
)

// Register adds a network; a second one with the same name, or a
// description without Name, New or Defaults, panics (a programming error).
func Register(d Description) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if d.Name == "" || d.New == nil || d.Defaults == nil {
		panic(fmt.Sprintf("model.Register: %q needs a Name, New and Defaults", d.Name))
	}
	if _, dup := registry[d.Name]; dup {
		panic(fmt.Sprintf("model.Register: %q is registered twice", d.Name))
	}
	for _, s := range d.Sizes {
		_, size := SizeFlags[s]
		_, choice := ChoiceFlags[s]
		if !size && !choice && s != AttentionRateFlag {
			panic(fmt.Sprintf("model.Register: %q reads an unknown size %q", d.Name, s))
		}
	}
	for flag := range d.Before {
		if _, ok := ChoiceFlags[flag]; !ok {
			panic(fmt.Sprintf("model.Register: %q: Before names %q, not a choice flag", d.Name, flag))
		}
	}
	registry[d.Name] = d
}

// Lookup returns the description of the network called name.
func Lookup(name string) (Description, error) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	d, ok := registry[name]
	if !ok {
		return Description{}, fmt.Errorf("unknown model %q (known: %s)", name, strings.Join(namesLocked(), ", "))
	}
	return d, nil
}

// Names lists the registered networks, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Reads reports whether the network reads the size setting flag.
func (d Description) Reads(flag string) bool {
	for _, s := range d.Sizes {
		if s == flag {
			return true
		}
	}
	return false
}

// Supports reports whether analysis understands the network.
func (d Description) Supports(analysis string) bool {
	for _, a := range d.Analyses {
		if a == analysis {
			return true
		}
	}
	return false
}

// Complete fills the sizes cfg leaves zero: derived ones first, then the
// published defaults; the dtype defaults to float32.
func (d Description) Complete(cfg Config) (Config, error) {
	if cfg.P < 2 {
		return cfg, fmt.Errorf("model %q: modulus P must be ≥ 2, got %d", d.Name, cfg.P)
	}
	if d.Derive != nil {
		var err error
		if cfg, err = d.Derive(cfg); err != nil {
			return cfg, err
		}
	}
	def := d.Defaults(cfg.P)
	for _, field := range SizeFlags {
		if v := field(&cfg); *v == 0 {
			*v = *field(&def)
		}
	}
	if !(cfg.ConstantAttention >= 0 && cfg.ConstantAttention <= 1) {
		return cfg, fmt.Errorf("model %q: the attention rate must be in [0, 1], got %g", d.Name, 1-cfg.ConstantAttention)
	}
	for _, field := range ChoiceFlags {
		if v := field(&cfg); *v == "" {
			*v = *field(&def)
		}
	}
	switch cfg.DType {
	case dtypes.InvalidDType:
		cfg.DType = dtypes.Float32
	case dtypes.Float32, dtypes.Float64:
	default:
		return cfg, fmt.Errorf("model %q: dtype must be float32 or float64, got %s", d.Name, cfg.DType)
	}
	return cfg, nil
}

// Supporting lists the registered networks that analysis understands.
func Supporting(analysis string) []string {
	var out []string
	for _, name := range Names() {
		if d, _ := Lookup(name); d.Supports(analysis) {
			out = append(out, name)
		}
	}
	return out
}

// Recorded is the Config of a run recorded with cfg: each choice the
// record leaves empty is the form the network had before that choice
// existed (Description.Before), where it has one.
func (d Description) Recorded(cfg Config) Config {
	for flag, value := range d.Before {
		if v := ChoiceFlags[flag](&cfg); *v == "" {
			*v = value
		}
	}
	return cfg
}
