export { loadDataset, DEFAULT_FASHION_MNIST_DIR, type LoadDatasetOptions } from './load-dataset.js';
export { readMaybeGzipped } from './read-bytes.js';
export { createDatasetLoader, type RunDataSource } from './run-data-loader.js';
export { loadSiteData, type SiteData } from './load-site-data.js';
export { decodeImage, type DecodedImage } from './decode-image.js';
export { encodePng } from './write-png.js';
