/* global fetch */
// Container HEALTHCHECK: GET $HEALTHCHECK_URL, exit 0 on a 2xx answer within the timeout, else 1.
// Node's own fetch, because the slim and CUDA base images ship neither curl nor wget.
const url = process.env.HEALTHCHECK_URL ?? 'http://127.0.0.1:8080/healthz';
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 2500);

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) {
    console.error(`healthcheck: ${url} answered ${response.status}`);
    process.exit(1);
  }
} catch (error) {
  console.error(`healthcheck: ${url} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
