/** Why a weights buffer could not be encoded or decoded. */
export type CodecErrorCode =
  'bad-magic' | 'unsupported-version' | 'truncated' | 'length-mismatch' | 'checksum-mismatch' | 'corrupt' | 'invalid-input';

/** Thrown by `encodeWeights`/`decodeWeights`; `code` is stable, `message` says where and what. */
export class CodecError extends Error {
  readonly code: CodecErrorCode;

  constructor(code: CodecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodecError';
    this.code = code;
  }
}
