// Preloaded (node -r) into profiled servers: exit normally on SIGTERM, so
// that node writes the --cpu-prof and --heap-prof files, which it does only
// on a normal exit.
process.once('SIGTERM', () => process.exit(0));
