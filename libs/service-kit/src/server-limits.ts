import type * as grpc from '@grpc/grpc-js';

/** The part of a config that bounds what one call or connection may use (see commonSchema). */
export interface LimitsConfig {
  readonly maxReceiveMessageBytes?: number;
  readonly maxSendMessageBytes?: number;
  readonly maxConcurrentStreams?: number;
}

/**
 * grpc-js server options for the configured limits. Past a message size grpc-js answers
 * RESOURCE_EXHAUSTED itself; past the stream limit HTTP/2 makes the client wait for a free stream.
 */
export function serverLimitOptions(config: LimitsConfig): grpc.ServerOptions {
  const options: grpc.ServerOptions = {};
  if (config.maxReceiveMessageBytes !== undefined)
    options['grpc.max_receive_message_length'] = config.maxReceiveMessageBytes;
  if (config.maxSendMessageBytes !== undefined)
    options['grpc.max_send_message_length'] = config.maxSendMessageBytes;
  if (config.maxConcurrentStreams !== undefined && config.maxConcurrentStreams > 0)
    options['grpc.max_concurrent_streams'] = config.maxConcurrentStreams;
  return options;
}
