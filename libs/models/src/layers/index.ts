// Athanor's custom tfjs layers; importing this module registers them for (de)serialisation.
export { ClassToken } from './class-token';
export { GroupNormalization, type GroupNormalizationArgs } from './group-normalization';
export { type LayerArgs } from './layer-args';
export { MultiHeadSelfAttention, type MultiHeadSelfAttentionArgs } from './multi-head-self-attention';
export {
  PositionEmbedding,
  type PositionEmbeddingArgs,
  type PositionMode,
  sinusoidalTable,
} from './position-embedding';
export { SeededDropout, type SeededDropoutArgs } from './seeded-dropout';
export { SequenceStep, type SequenceStepArgs } from './sequence-step';
