/**
 * Preloaded (`--import`) into every process the bench spawns: the bench keeps
 * our stdin open as a pipe, so its end means the bench died (even by SIGKILL)
 * and nothing else will stop us. Exiting normally also lets `--cpu-prof`
 * write its profile.
 */
process.stdin.on('end', () => process.exit(1));
process.stdin.on('error', () => process.exit(1));
process.stdin.resume();
