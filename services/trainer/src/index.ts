// The trainer's logic lives in @fedssd/runtime (createTrainer, handleJob); this package is the
// composition root (main.ts) and its environment schema.
export { TrainerConfigSchema, type TrainerConfig } from './config.js';
