/** Data sets the loaders know by name. */
export type DatasetName = 'synthetic' | 'mnist' | 'fashion-mnist' | 'cifar10';

/** A labelled image set held in memory. */
export interface ImageDataset {
  /** Data set name, e.g. `fashion-mnist` or `synthetic`. */
  name: string;
  split: 'train' | 'test';
  /** `count × height × width × channels` values, NHWC, scaled to [0, 1]. */
  images: Float32Array;
  /** One class id per image, in [0, classes). */
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  classes: number;
  /** Human-readable name of each class id; length `classes`. */
  classNames: string[];
}
