// Package runs is the run folder that fit writes and every later tool reads:
//
//	RUN/config.json          every hyperparameter, the data's metadata, the backend
//	RUN/data.parquet         the exact table trained on (a copy)
//	RUN/metrics.parquet      (step, split, kind, metric, value), rewritten atomically
//	RUN/checkpoints/step-NNNNNNNN.safetensors
//	                         parameters and optimizer state at that step
//	RUN/model.safetensors    the final parameters, TransformerLens names
//	RUN/curves.png           accuracy and loss against a log step axis
package runs
