// The AV1 bitstream module's public pieces.
export { readObus, readLeb128, writeLeb128, OBU_SEQUENCE_HEADER, OBU_TEMPORAL_DELIMITER } from './obu.ts';
export type { Obu } from './obu.ts';
export { parseSequenceHeader, findSequenceHeader } from './sequence-header.ts';
export type { SequenceHeader, ColorConfig, OperatingPoint } from './sequence-header.ts';
export { contractFromSequenceHeader, compareContract, codecString, codecStringLong, CONTRACT_FIELDS } from './contract.ts';
export type { Av1Contract, ContractDifference } from './contract.ts';
export { buildAv1C, parseAv1C } from './av1c.ts';
export type { Av1CRecord } from './av1c.ts';
export { levelFor, av1CodecStringFor } from './level.ts';
