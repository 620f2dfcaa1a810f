import { it } from 'vitest';
import { IN_CI, missingToolMessage } from '../../deploy-checks/external-tool.js';

/**
 * Declares the tests of `body` when `tool` is on PATH. Otherwise one test stands in for them:
 * under CI=true it fails naming the package to install, elsewhere it is reported skipped with
 * that message (never a silent pass).
 */
export function withTool(tool: string, body: () => void): void {
  const missing = missingToolMessage(tool);
  if (missing === undefined) {
    body();
    return;
  }
  if (IN_CI) {
    it(`needs ${tool}`, () => {
      throw new Error(missing);
    });
  } else {
    it.skip(`${missing} (skipped outside CI; under CI=true this fails)`, () => undefined);
  }
}
