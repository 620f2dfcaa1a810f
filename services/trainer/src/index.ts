export { createTrainer, type Trainer, type TrainerDeps, type TrainerState } from './trainer.js';
export { handleJob, type JobDeps, type JobOutcome } from './handle-job.js';
export { createRunCache, type RunCache, type RunEntry } from './run-cache.js';
