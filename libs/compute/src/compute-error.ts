/** A bad configuration value; the message names the variable so the caller can fix it. */
export class ComputeConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
    this.name = 'ComputeConfigError';
  }
}

/** No backend could be initialised; `tried` says why each one was rejected. */
export class ComputeInitError extends Error {
  constructor(
    message: string,
    readonly tried: readonly { name: string; reason: string }[],
  ) {
    super(message);
    this.name = 'ComputeInitError';
  }
}
