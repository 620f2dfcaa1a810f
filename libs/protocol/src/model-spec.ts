import { z } from 'zod';
import { intBetween, numberIn, oneOf } from './fields.js';
import { MODELS } from './run-config.js';

/**
 * The model spec a run's global models were built with, as JSON: the shape of @fedssd/ssl's
 * `resolveSpec` result (kind, NHWC input shape, feature width d, resnet18 channel multiplier).
 * The aggregator stores it next to model v0 (`specKey`), so a reader such as the api's model
 * export knows the input shape instead of guessing it from the data set's name. The cross-field
 * rules (featureDim matches kind and width) stay in `resolveSpec`, their one home.
 */
export const ModelSpecSchema = z
  .object({
    kind: oneOf(MODELS),
    /** [height, width, channels]; height and width at least 4 (the encoders downsample). */
    inputShape: z.tuple([intBetween(4, 65_536), intBetween(4, 65_536), intBetween(1, 65_536)]).readonly(),
    /** d, the encoder output width. */
    featureDim: intBetween(1, 65_536),
    /** Channel multiplier of resnet18, in (0, 4]; `resolveSpec` writes 1 for the small model too. */
    width: numberIn({ gt: 0, lte: 4 }).optional(),
  })
  .readonly();

/** A stored model spec; structurally the same as @fedssd/ssl's `ModelSpec`. */
export type StoredModelSpec = z.infer<typeof ModelSpecSchema>;
