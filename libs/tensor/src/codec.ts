/** Binary weights codec: see `codec/format.ts` for the layout. */
export { encodeWeights, type EncodeOptions } from './codec/encode.js';
export { decodeWeights, type DecodeOptions } from './codec/decode.js';
export { weightsByteLength, type WeightsDtype } from './codec/format.js';
export { CodecError, type CodecErrorCode } from './codec/codec-error.js';
export { crc32c } from './codec/crc32c.js';
export { setCrc32, type Crc32Function } from './codec/checksum.js';
