// What every stage of the worker shares: its error type and the cancellation of a request.

export class FramepickError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'FramepickError';
    this.code = code;
  }
}

export const aborted = new Set();
// Per request, where the page is cross-origin isolated: a shared flag the page sets on
// abort. Unlike the `abort` message, it is seen while this worker is inside a long
// synchronous call (deep analysis), whose progress callback reads it.
export const cancelFlags = new Map();
export const isAborted = (id) => aborted.has(id) || cancelFlags.get(id)?.[0] === 1;

export function checkAbort(id) {
  if (isAborted(id)) throw new FramepickError('ABORTED', 'the run was cancelled');
}
