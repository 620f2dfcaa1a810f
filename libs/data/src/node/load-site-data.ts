import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCifar10Batch } from '../cifar10.js';
import { DataError } from '../errors.js';
import { parseIdxImages, parseIdxLabels } from '../idx.js';
import { parseLabelsCsv } from '../labels-csv.js';
import { decodeImage } from './decode-image.js';
import { readMaybeGzipped } from './read-bytes.js';

/** A site's local images, as its trainer loads them from `SITE_DATA_DIR`. */
export interface SiteData {
  /** `count × height × width × channels` values, NHWC, each byte / 255 in float32 (as the IDX reader). */
  images: Float32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  /** One label per image when every image has one (labels.csv, IDX label files, CIFAR records); training needs none. */
  labels?: Int32Array;
  /** Files read, in order, with how many images each gave. */
  sources: Array<{ file: string; kind: 'image' | 'idx' | 'cifar10'; count: number }>;
  /** Files in the folder that were not read (other extensions, sub-folders, hidden files). */
  ignored: string[];
}

interface Part {
  file: string;
  kind: 'image' | 'idx' | 'cifar10';
  shape: [number, number, number];
  images: Float32Array;
  labels: Int32Array | undefined;
}

const IMAGE = /\.(png|jpe?g)$/i;
const IDX_IMAGES = /(images[-.]idx3-ubyte)(\.gz)?$/;
const IDX_LABELS = /labels[-.]idx1-ubyte(\.gz)?$/;
const CIFAR = /\.bin$/i;

const shapeText = ([h, w, c]: readonly number[]) => `${h}x${w}x${c}`;

async function imagePart(dir: string, file: string, labels: Map<string, number> | undefined): Promise<Part> {
  const decoded = decodeImage(await readFile(join(dir, file)), file);
  const images = new Float32Array(decoded.pixels.length);
  for (let i = 0; i < images.length; i += 1) images[i] = (decoded.pixels[i] as number) / 255;
  let label: Int32Array | undefined;
  if (labels !== undefined) {
    const value = labels.get(file);
    if (value === undefined) throw new DataError('INCONSISTENT_DATA', `labels.csv has no label for ${file}`);
    label = Int32Array.of(value);
  }
  return { file, kind: 'image', shape: [decoded.height, decoded.width, decoded.channels], images, labels: label };
}

async function idxPart(dir: string, file: string, names: ReadonlySet<string>): Promise<Part> {
  const parsed = parseIdxImages(await readMaybeGzipped(join(dir, file)));
  const labelFile = [...names].find((n) => IDX_LABELS.test(n) && n.replace(/labels([-.])idx1/, 'images$1idx3') === file);
  let labels: Int32Array | undefined;
  if (labelFile !== undefined) {
    labels = parseIdxLabels(await readMaybeGzipped(join(dir, labelFile)));
    if (labels.length !== parsed.count) {
      throw new DataError('CORRUPT_FILE', `${parsed.count} images in ${file} but ${labels.length} labels in ${labelFile}`);
    }
  }
  return { file, kind: 'idx', shape: [parsed.height, parsed.width, 1], images: parsed.images, labels };
}

async function cifarPart(dir: string, file: string): Promise<Part> {
  const batch = parseCifar10Batch(await readMaybeGzipped(join(dir, file)));
  return { file, kind: 'cifar10', shape: [32, 32, 3], images: batch.images, labels: batch.labels };
}

/**
 * Reads every image of a site's folder (not sub-folders): PNG and JPEG files (pngjs, jpeg-js),
 * IDX image files (gzipped or not, with their label file when present) and CIFAR-10 binary
 * batches, in sorted file-name order, so the same folder always gives the same array. Every
 * image must have the shape of the first (height, width and grayscale/RGB); the error names the
 * first file that differs. `labels.csv` (`file,label`), when present, labels the image files.
 */
export async function loadSiteData(dir: string): Promise<SiteData> {
  let entries: string[];
  try {
    entries = (await readdir(dir)).sort();
  } catch (cause) {
    throw new DataError(
      'DATASET_NOT_FOUND',
      `site data folder ${dir} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause },
    );
  }
  const names = new Set(entries);
  const labels = names.has('labels.csv') ? parseLabelsCsv(await readFile(join(dir, 'labels.csv'), 'utf8')) : undefined;
  const parts: Part[] = [];
  const ignored: string[] = [];
  for (const file of entries) {
    if (file === 'labels.csv' || IDX_LABELS.test(file)) continue;
    const isFile = !file.startsWith('.') && (await stat(join(dir, file))).isFile();
    if (isFile && IMAGE.test(file)) parts.push(await imagePart(dir, file, labels));
    else if (isFile && IDX_IMAGES.test(file)) parts.push(await idxPart(dir, file, names));
    else if (isFile && CIFAR.test(file)) parts.push(await cifarPart(dir, file));
    else ignored.push(file);
  }
  if (parts.length === 0) {
    throw new DataError(
      'DATASET_NOT_FOUND',
      `no images in ${dir}: expected .png/.jpg/.jpeg files, IDX image files or CIFAR-10 .bin batches`,
    );
  }
  const first = parts[0] as Part;
  for (const part of parts) {
    if (shapeText(part.shape) !== shapeText(first.shape)) {
      throw new DataError(
        'INCONSISTENT_DATA',
        `${part.file} is ${shapeText(part.shape)} (height x width x channels) but ${first.file} is ${shapeText(first.shape)}: every image of a site must have one shape`,
      );
    }
  }
  if (labels !== undefined) {
    const unknown = [...labels.keys()].find((file) => !names.has(file));
    if (unknown !== undefined) throw new DataError('INCONSISTENT_DATA', `labels.csv names ${unknown}, which is not in ${dir}`);
  }
  const total = parts.reduce((sum, p) => sum + p.images.length, 0);
  const images = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    images.set(part.images, offset);
    offset += part.images.length;
  }
  const [height, width, channels] = first.shape;
  const count = total / (height * width * channels);
  const allLabelled = parts.every((p) => p.labels !== undefined);
  const result: SiteData = {
    images,
    count,
    height,
    width,
    channels,
    sources: parts.map((p) => ({ file: p.file, kind: p.kind, count: p.images.length / (height * width * channels) })),
    ignored,
  };
  if (allLabelled) result.labels = Int32Array.from(parts.flatMap((p) => Array.from(p.labels as Int32Array)));
  return result;
}
