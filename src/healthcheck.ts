// The container's health check: exits 0 when the app on PORT answers
// /health with 200, and 1 otherwise. The production image has no curl or
// wget, so Docker's HEALTHCHECK runs this with the app's own Node.js.
const port = process.env.PORT?.trim() || '3000';
const url = `http://127.0.0.1:${port}/health`;

fetch(url, { signal: AbortSignal.timeout(3_000) }).then(
  async (response) => {
    if (!response.ok) {
      console.error(
        `${url} answered ${response.status}: ${await response.text()}`,
      );
      process.exitCode = 1;
    }
  },
  (error: unknown) => {
    console.error(`${url} did not answer: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
