// The INVALID_ARGUMENT error contract: a google.rpc.Status holding a google.rpc.BadRequest, binary
// encoded in the `grpc-status-details-bin` trailer (the convention grpc-go, grpc-java and grpcurl read).
import { BadRequest, type BadRequest_FieldViolation } from './gen/google/rpc/error_details';
import { Status } from './gen/google/rpc/status';

/** Metadata (trailer) key that carries the binary google.rpc.Status. */
export const STATUS_DETAILS_METADATA_KEY = 'grpc-status-details-bin';

/** Any type URL of google.rpc.BadRequest. */
export const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';

/** One bad field: its path in the request (e.g. "config.optimizer.lr") and what is wrong. */
export interface FieldViolationInput {
  field: string;
  description: string;
}

/**
 * Encodes a google.rpc.Status with one BadRequest detail, ready for
 * `metadata.set(STATUS_DETAILS_METADATA_KEY, bytes)` on an INVALID_ARGUMENT error (code 3).
 */
export function encodeBadRequestStatus(
  message: string,
  violations: readonly FieldViolationInput[],
  code = 3,
): Buffer {
  const badRequest = BadRequest.encode({
    fieldViolations: violations.map(({ field, description }) => ({ field, description })),
  }).finish();
  const status = Status.encode({
    code,
    message,
    details: [{ typeUrl: BAD_REQUEST_TYPE_URL, value: Buffer.from(badRequest) }],
  }).finish();
  return Buffer.from(status);
}

/**
 * Decodes the field violations from a `grpc-status-details-bin` value; undefined when the status
 * carries no BadRequest (or the bytes are not a google.rpc.Status).
 */
export function decodeBadRequest(bytes: Uint8Array): BadRequest_FieldViolation[] | undefined {
  let status: Status;
  try {
    status = Status.decode(bytes);
  } catch {
    return undefined;
  }
  const detail = status.details.find((any) => any.typeUrl === BAD_REQUEST_TYPE_URL);
  return detail ? BadRequest.decode(detail.value).fieldViolations : undefined;
}
