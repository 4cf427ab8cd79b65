// What becomes of the source's audio: the option and its outcome, shared by the options, the result
// (api.ts) and the progress events.

/**
 * What to do with the source's audio. 'auto' (the default): carry it (AAC, Opus) or re-encode it as
 * Opus, and fail only when neither is possible. 'drop': video-only outputs. 'require': as 'auto',
 * but a source with no audio is a NoAudioTrackError before decoding.
 */
export type AudioMode = 'auto' | 'drop' | 'require';

/** What happened to the source's first audio track (TranscodeResult.audio, the 'job-start' event). */
export interface AudioOutcome {
  /** 'carried': its packets unchanged (ADTS headers stripped). 're-encoded': as Opus. 'none': the source has no audio. */
  action: 'carried' | 're-encoded' | 'dropped' | 'none';
  source: { codec: string; sampleRate: number; numberOfChannels: number } | null;
  /** What the outputs carry; null when dropped or none. */
  output: { codec: 'aac' | 'opus'; codecString: string; sampleRate: number; numberOfChannels: number } | null;
}
