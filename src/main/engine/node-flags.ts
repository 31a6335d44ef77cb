// Node/V8 flags for every process that runs the engine: the CLI (bin/showcase), the desktop app's
// engine utility process and the benchmark's probes, so all three measure and behave alike.
//
// `--max-semi-space-size=4` (MB): V8's default young generation grows to tens of MB on a 64-bit
// machine and stays committed. Planning a big catalog allocates in one burst, so a process holding
// 10,000 queued jobs sat at 230–265 MB RSS with ~45 MB of live heap; with 4 MB semi-spaces it holds
// 175–190 MB, and the engine's CPU per job is unchanged (measured with the overhead probe).
export const ENGINE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
