// The AV1 bitstream module's public pieces: OBUs, sequence headers, contracts and codecs
// strings, av1C, and levels.
export {
  readObus, readObu, obuPayload, readLeb128, writeLeb128, LEB128_MAX,
  OBU_SEQUENCE_HEADER, OBU_TEMPORAL_DELIMITER, OBU_FRAME_HEADER, OBU_TILE_GROUP, OBU_METADATA, OBU_FRAME,
  OBU_REDUNDANT_FRAME_HEADER, OBU_TILE_LIST, OBU_PADDING,
} from './obu.ts';
export type { Obu } from './obu.ts';
export {
  parseSequenceHeader, parseSequenceHeaderObu, findSequenceHeader, SELECT_SCREEN_CONTENT_TOOLS, SELECT_INTEGER_MV,
} from './sequence-header.ts';
export type {
  SequenceHeader, OperatingPoint, OperatingParameters, TimingInfo, DecoderModelInfo, FrameIdNumbers,
} from './sequence-header.ts';
export { CICP_UNSPECIFIED, CSP_UNKNOWN, CSP_VERTICAL, CSP_COLOCATED } from './color-config.ts';
export type { ColorConfig, BitDepth } from './color-config.ts';
export {
  contractFromSequenceHeader, compareContract, codecString, codecStringLong, hasDefaultCodecFields, CONTRACT_FIELDS,
} from './contract.ts';
export type { Av1Contract, ContractDifference } from './contract.ts';
export { buildAv1C, parseAv1C, sequenceHeaderFromAv1C } from './av1c.ts';
export type { Av1CRecord } from './av1c.ts';
export { levelFor, levelName, av1CodecStringFor, LEVELS, LEVEL_MAX_PARAMETERS } from './level.ts';
export type { LevelLimits } from './level.ts';
