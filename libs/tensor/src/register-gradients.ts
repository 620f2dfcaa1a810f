/**
 * Registers TF.js's gradient functions with the one tfjs-core instance every package uses.
 *
 * Why here: tfjs-core ships its gradient registrations only as ESM files with directory
 * imports, which Node cannot load from the CJS build that `@tensorflow/tfjs-core` resolves to.
 * The Node bundle of `@tensorflow/tfjs-layers` registers all of core's gradients against that
 * build (on tfjs's global registry), so importing it once from @fedssd/tensor gives vitest and
 * plain `node` the same single engine with gradients.
 */
import '@tensorflow/tfjs-layers';
