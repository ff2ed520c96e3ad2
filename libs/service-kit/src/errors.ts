import { status } from '@grpc/grpc-js';

export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/** Base of the errors a service means to send; each carries its gRPC status code. */
export class AthanorError extends Error {
  constructor(
    readonly code: status,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** INVALID_ARGUMENT with every field violation; sent as google.rpc.BadRequest in the status details. */
export class InvalidArgumentError extends AthanorError {
  readonly violations: readonly FieldViolation[];
  constructor(violations: readonly FieldViolation[] | FieldViolation) {
    const list: readonly FieldViolation[] = 'field' in violations ? [violations] : violations;
    super(status.INVALID_ARGUMENT, list.map((v) => `${v.field}: ${v.description}`).join('; '));
    this.violations = list;
  }
}

export class NotFoundError extends AthanorError {
  constructor(what: string, id: string) {
    // The id is the caller's: quote at most 100 characters of it.
    const shown =
      id.length > 100
        ? `${JSON.stringify(id.slice(0, 100))}... (${id.length} characters)`
        : JSON.stringify(id);
    super(status.NOT_FOUND, `${what} ${shown} not found`);
  }
}

export class FailedPreconditionError extends AthanorError {
  constructor(message: string) {
    super(status.FAILED_PRECONDITION, message);
  }
}

export class ResourceExhaustedError extends AthanorError {
  constructor(message: string) {
    super(status.RESOURCE_EXHAUSTED, message);
  }
}

export class UnavailableError extends AthanorError {
  constructor(message: string) {
    super(status.UNAVAILABLE, message);
  }
}

/** An RPC whose capability another issue builds; says which, so a caller knows it is not a bug. */
export class UnimplementedError extends AthanorError {
  constructor(method: string, arrivesWith: string) {
    super(status.UNIMPLEMENTED, `${method} is not available in this version: it arrives with ${arrivesWith}`);
  }
}

/** Pure libraries (training-core) throw errors that carry `violations` without depending on gRPC. */
export function violationsOf(err: unknown): readonly FieldViolation[] | undefined {
  if (err instanceof InvalidArgumentError) return err.violations;
  const v = (err as { violations?: unknown } | null)?.violations;
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const ok = (v as unknown[]).every((x) => {
    const f = x as Partial<FieldViolation> | null;
    return typeof f?.field === 'string' && typeof f.description === 'string';
  });
  return ok ? (v as FieldViolation[]) : undefined;
}
