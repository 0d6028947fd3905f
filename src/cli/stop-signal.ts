/**
 * An AbortSignal that SIGINT (Ctrl-C) or SIGTERM aborts, so that a long-running command can finish
 * its current step, close the log and exit 0. Only the first signal is caught: a second one ends
 * the process the usual way, for when the database does not answer.
 */
export function stopOnSignals(): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController()
  const stop = () => {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    controller.abort()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    },
  }
}
