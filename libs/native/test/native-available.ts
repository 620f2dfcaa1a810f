/**
 * Decides whether native tests run. Where the addon is built they run; where it is not they
 * skip, except under CI=true on a machine with libdnnl-dev headers, where a missing build is
 * a failure (CI must have run `npm run build:native`).
 */
import { existsSync } from 'node:fs';
import { loadNativeAddon } from '@fedssd/native';

const load = loadNativeAddon();
const headers = existsSync('/usr/include/oneapi/dnnl/dnnl.hpp');

if (!load.ok && process.env['CI'] === 'true' && headers) {
  throw new Error(`@fedssd/native must be built in CI when libdnnl-dev is installed: ${load.reason}`);
}

/** True when the addon loaded in this process. */
export const nativeAvailable = load.ok;
