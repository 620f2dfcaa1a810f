/**
 * Registers TF.js's gradient functions with the one tfjs-core instance every package uses.
 *
 * Why here: tfjs-core ships its gradient registrations only as ESM files with directory
 * imports, which Node cannot load from the CJS build that `@tensorflow/tfjs-core` resolves to;
 * the `@tensorflow/tfjs` bundle registers the same gradients against that CJS build. Importing
 * it once from @fedssd/tensor gives vitest and plain `node` the same, single engine.
 */
import '@tensorflow/tfjs';
