// The engine's typed errors. Each sets `name`, so callers can branch on `err.name` across
// realms (workers, Playwright) where `instanceof` does not survive.

/** Base class of every error the engine throws on purpose. */
export class TranscodeError extends Error {
  override name = 'TranscodeError';
}

/** The input's codec (or the requested output codec) cannot be handled here. */
export class UnsupportedCodecError extends TranscodeError {
  override name = 'UnsupportedCodecError';
}

/** The input has no video track. */
export class NoVideoTrackError extends TranscodeError {
  override name = 'NoVideoTrackError';
}

/** The input has no audio track, and `audio: 'require'` asked for one. Thrown before decoding starts. */
export class NoAudioTrackError extends TranscodeError {
  override name = 'NoAudioTrackError';
}

/** The input is truncated, empty or malformed. */
export class CorruptInputError extends TranscodeError {
  override name = 'CorruptInputError';
}

/** The input declares a size beyond the configured limit. */
export class InputTooLargeError extends TranscodeError {
  override name = 'InputTooLargeError';
}

/** An encoder produced a chunk whose AV1 sequence header breaks the rung's contract. */
export class ContractMismatchError extends TranscodeError {
  override name = 'ContractMismatchError';
  constructor(
    message: string,
    readonly field: string,
    readonly expected: unknown,
    readonly actual: unknown,
  ) {
    super(message);
  }
}

/** No encoder lease is available under the chosen policy. Thrown before decoding starts. */
export class EmptyPoolError extends TranscodeError {
  override name = 'EmptyPoolError';
}

/** An encoder or decoder failed for reasons other than the input. */
export class CodecFailureError extends TranscodeError {
  override name = 'CodecFailureError';
}

/** A bitstream (AV1 OBUs, ISOBMFF boxes) could not be parsed. */
export class BitstreamError extends TranscodeError {
  override name = 'BitstreamError';
}

/** The standard abort error: a DOMException named 'AbortError', as fetch() throws. */
export function abortError(reason?: unknown): DOMException {
  if (reason instanceof DOMException && reason.name === 'AbortError') return reason;
  return new DOMException(
    typeof reason === 'string' ? reason : 'The transcode was aborted',
    'AbortError',
  );
}
