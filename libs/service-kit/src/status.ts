import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { decodeBadRequest, encodeBadRequestStatus, STATUS_DETAILS_METADATA_KEY } from '@athanor/contracts';
import { AthanorError, type FieldViolation, violationsOf } from './errors';
import type { Logger } from './logger';

// A status travels in HTTP/2 trailers, which peers cap (grpc-js: 16 KiB); a message that echoes a
// 200 KB id would never arrive and the call would hang. These bounds keep every status deliverable.
const MAX_DETAILS_CHARS = 2000;
const MAX_FIELD_CHARS = 300;
const MAX_VIOLATIONS = 20;

/** `text` cut to `max` characters, saying how much was cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

/**
 * The one mapper from a thrown error to a gRPC status. Field violations travel as a standard
 * google.rpc.BadRequest inside google.rpc.Status in the `grpc-status-details-bin` trailer (what
 * other gRPC ecosystems decode); anything unexpected becomes INTERNAL with an id, and only the log
 * gets its detail.
 */
export function toStatus(err: unknown, logger: Logger, method: string): grpc.StatusObject {
  const all = violationsOf(err);
  if (all) {
    const violations = all.slice(0, MAX_VIOLATIONS).map((v) => ({
      field: clip(v.field, MAX_FIELD_CHARS),
      description: clip(v.description, MAX_FIELD_CHARS),
    }));
    if (all.length > MAX_VIOLATIONS) {
      violations.push({ field: '', description: `... and ${all.length - MAX_VIOLATIONS} more problems` });
    }
    const details = clip(violations.map((v) => `${v.field}: ${v.description}`).join('; '), MAX_DETAILS_CHARS);
    return { code: grpc.status.INVALID_ARGUMENT, details, metadata: badRequestMetadata(details, violations) };
  }
  if (err instanceof AthanorError) {
    if (err.code === grpc.status.INTERNAL) logger.error({ err, method }, 'internal error');
    return { code: err.code, details: clip(err.message, MAX_DETAILS_CHARS), metadata: new grpc.Metadata() };
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
