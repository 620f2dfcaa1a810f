/**
 * Decides whether the aggregation-addon tests run, as `native-available.ts` does for the oneDNN
 * addon: they skip where it is not built, except under CI=true on a machine with libdnnl-dev
 * headers (CI builds both addons with `npm run build:native`), where a missing build fails; and
 * there, with libisal-dev headers present, an addon built without ISA-L's CRC-32 fails too.
 */
import { existsSync } from 'node:fs';
import { loadFoldAddon } from '@fedssd/native';

const load = loadFoldAddon();
const ci = process.env['CI'] === 'true';

if (!load.ok && ci && existsSync('/usr/include/oneapi/dnnl/dnnl.hpp')) {
  throw new Error(`@fedssd/native's fold addon must be built in CI when libdnnl-dev is installed: ${load.reason}`);
}
if (load.ok && ci && existsSync('/usr/include/isa-l/crc.h') && load.addon.crc32 === undefined) {
  throw new Error('@fedssd/native: libisal-dev is installed but the fold addon was built without ISA-L; rerun npm run build:native');
}

/** The addon when it loaded in this process. */
export const foldAddon = load.ok ? load.addon : undefined;
