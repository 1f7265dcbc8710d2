import type { Socket } from 'node:net';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
};

/**
 * Errors Node raises before a request exists (unparsable HTTP, header limits, slow senders) answered
 * in the OpenAI error shape instead of a bare status line, then the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
          ? 413
          : 400;
  const type = status === 408 ? 'timeout_error' : 'invalid_request_error';
  const message =
    status === 431
      ? 'Request headers are too large.'
      : status === 408
        ? 'The client took too long to send its request.'
        : 'The HTTP request could not be parsed.';
  const body = JSON.stringify({ error: { message, type, param: null, code: error.code?.toLowerCase() ?? null } });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
