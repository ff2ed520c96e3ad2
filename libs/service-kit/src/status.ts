import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { decodeBadRequest, encodeBadRequestStatus, STATUS_DETAILS_METADATA_KEY } from '@athanor/contracts';
import { AthanorError, type FieldViolation, violationsOf } from './errors';
import type { Logger } from './logger';

/**
 * The one mapper from a thrown error to a gRPC status. Field violations travel as a standard
 * google.rpc.BadRequest inside google.rpc.Status in the `grpc-status-details-bin` trailer (what
 * other gRPC ecosystems decode); anything unexpected becomes INTERNAL with an id, and only the log
 * gets its detail.
 */
export function toStatus(err: unknown, logger: Logger, method: string): grpc.StatusObject {
  const violations = violationsOf(err);
  if (violations) {
    const details = violations.map((v) => `${v.field}: ${v.description}`).join('; ');
    return { code: grpc.status.INVALID_ARGUMENT, details, metadata: badRequestMetadata(details, violations) };
  }
  if (err instanceof AthanorError) {
    if (err.code === grpc.status.INTERNAL) logger.error({ err, method }, 'internal error');
    return { code: err.code, details: err.message, metadata: new grpc.Metadata() };
  }
  const id = randomUUID();
  logger.error({ err, method, errorId: id }, 'unexpected error');
  return {
    code: grpc.status.INTERNAL,
    details: `internal error in ${method} (error id ${id}; the service log has the detail)`,
    metadata: new grpc.Metadata(),
  };
}

function badRequestMetadata(message: string, violations: readonly FieldViolation[]): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_DETAILS_METADATA_KEY, encodeBadRequestStatus(message, violations));
  return metadata;
}

/** Client side: the field violations an INVALID_ARGUMENT error carries (empty when none). */
export function fieldViolations(err: { metadata?: grpc.Metadata }): FieldViolation[] {
  const raw = err.metadata?.get(STATUS_DETAILS_METADATA_KEY)[0];
  if (!raw || typeof raw === 'string') return [];
  return (decodeBadRequest(raw) ?? []).map((v) => ({ field: v.field, description: v.description }));
}
