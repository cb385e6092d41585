// Preloaded into the servers of `npm run soak` (node --expose-gc -r ...): on
// SIGUSR2 it collects garbage and prints the heap that survived, as
// `SOAK_HEAP <bytes>`. Not part of the app.
const collect = (globalThis as { gc?: () => void }).gc;

process.on('SIGUSR2', () => {
  if (!collect) {
    console.log('SOAK_HEAP unavailable: start node with --expose-gc');
    return;
  }
  // Twice: the first pass can leave what only a finalizer let go.
  collect();
  collect();
  console.log(`SOAK_HEAP ${process.memoryUsage().heapUsed}`);
});
