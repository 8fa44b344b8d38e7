package model_test

import (
	"fmt"
	"log"
	"math"
	"os"

	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/model"
)

// A full-batch training loop with Nanda et al.'s settings: backend, seeded
// initialisation, linear learning-rate warm-up, GoMLX checkpoints that resume
// exactly, and a safetensors export. (Not run by `go test`: no Output.)
func ExampleNewTrainStep() {
	be, desc, err := backend.New() // pure Go unless GOMLX_BACKEND says otherwise
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(os.Stderr, "backend:", desc)

	m, err := model.ByName("nanda", model.Config{P: 113}) // published sizes
	if err != nil {
		log.Fatal(err)
	}
	store := gomlx.NewStore()

	// Resume from the latest checkpoint in dir if there is one: it attaches to
	// the store and supplies every variable it holds (weights, AdamW moments,
	// step counters) when the variable is first used.
	ckpt, err := checkpoint.Build(store).Dir("run/checkpoints").Keep(-1).Done()
	if err != nil {
		log.Fatal(err)
	}
	// Creates the weights that the checkpoint did not provide (all of them on
	// a fresh run), from the seed: same seed, same bits, on any backend.
	if err := model.InitParams(store.RootScope(), m, 23093); err != nil {
		log.Fatal(err)
	}

	cfg := model.NandaTrainConfig() // AdamW lr 1e-3, wd 1, betas (0.9, 0.98)
	step, err := model.NewTrainStep(be, store, m, cfg)
	if err != nil {
		log.Fatal(err)
	}
	// inputs: int32 [n, 3] rows (a, b, 113); labels: int32 [n]. Built once and
	// passed at every step (Step does not consume them).
	inputs := tensors.FromFlatDataAndDimensions([]int32{1, 2, 113, 5, 7, 113}, 2, 3)
	labels := tensors.FromFlatDataAndDimensions([]int32{3, 12}, 2)

	for epoch := 0; epoch < 1000; epoch++ {
		// torch LambdaLR(lambda s: min(s/10, 1)) stepped after each update:
		// update k (from 0) uses lr·min(k/10, 1), so the first is lr 0.
		if err := step.SetLearningRate(cfg.LearningRate * math.Min(float64(epoch)/10, 1)); err != nil {
			log.Fatal(err)
		}
		loss, err := step.Step(inputs, labels) // loss before this update
		if err != nil {
			log.Fatal(err)
		}
		if epoch%100 == 0 {
			fmt.Println(epoch, loss)
			if err := ckpt.Save(); err != nil { // named by /global_step
				log.Fatal(err)
			}
		}
	}
	md := map[string]string{"model": m.Name(), "p": "113"}
	if err := model.ExportSafetensors("run/model.safetensors", store.RootScope(), m, md); err != nil {
		log.Fatal(err)
	}
}
