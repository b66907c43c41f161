// Values shared by the bench's processes.

/** The text of every benchmarked text push, echoed back by the bench app's handler. */
export const BENCH_ECHO_TEXT = 'bench echo: the quick brown fox jumps over the lazy dog';
