import type { modelbuilder } from '@athanor/contracts';

// The contracts' generated types are the spec types: the trainer, the service and the CLI hand the
// same objects (ts-proto's shape; `ModelSpec.fromJSON` reads the proto3 JSON form) to this library.
export type ModelSpec = modelbuilder.ModelSpec;
export type InitSpec = modelbuilder.InitSpec;
export type Initializer = modelbuilder.Initializer;
export type PretrainedSpec = modelbuilder.PretrainedSpec;
export type ModelArtifact = modelbuilder.ModelArtifact;
export type ModelSummary = modelbuilder.ModelSummary;
export type LayerSummary = modelbuilder.LayerSummary;
export type PretrainedLoadReport = modelbuilder.PretrainedLoadReport;
export type InitReport = modelbuilder.InitReport;
export type LayerInitStats = modelbuilder.LayerInitStats;

/** A value that may be left out of a spec: partial objects are accepted as proto3 would decode them. */
export type SpecInput<T> = T | Partial<T>;
