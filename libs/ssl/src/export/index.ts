export { encoderFiles, exportEncoder, WEIGHTS_FILE, type ExportedEncoder, type ModelJson, type WeightSpecJson } from './export-encoder.js';
export { kerasLayerName } from './encoder-graph.js';
