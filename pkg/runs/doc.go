// Package runs is the run folder that fit writes and every later tool reads:
//
//	RUN/config.json          every hyperparameter, the data's metadata, the backend
//	RUN/data.parquet         the exact table trained on (a copy)
//	RUN/metrics.parquet      (step, split, kind, metric, value), rewritten atomically
//	RUN/events.out.tfevents.0.grokkit
//	                         the same rows for TensorBoard, appended per
//	                         evaluation (unless fit --no-tensorboard)
//	RUN/.lock                held by the fit writing the run (flock; its PID)
//	RUN/checkpoints/step-NNNNNNNN.safetensors
//	                         the parameters at that step (for the analyses)
//	RUN/checkpoints/resume.safetensors
//	                         parameters, optimizer moments and step: where
//	                         fit --resume continues
//	RUN/model.safetensors    the final parameters, TransformerLens names
//	RUN/curves.png           accuracy and loss against a log step axis
package runs
