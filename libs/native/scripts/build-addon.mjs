// Builds the oneDNN addon with node-gyp, offline: node's own headers come from the running
// node's install prefix (Debian's nodejs and the official tarballs both ship include/node),
// so node-gyp never tries to download them. Exits non-zero if the build fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nodeDir = resolve(process.execPath, '..', '..');
if (!existsSync(resolve(nodeDir, 'include', 'node', 'node_api.h'))) {
  console.error(`build:native: no node headers under ${nodeDir}/include/node`);
  process.exit(1);
}
if (!existsSync('/usr/include/oneapi/dnnl/dnnl.hpp') && !existsSync('/usr/local/include/oneapi/dnnl/dnnl.hpp')) {
  console.error('build:native: oneDNN headers missing (apt-get install libdnnl-dev)');
  process.exit(1);
}
// ISA-L is optional: without its headers the fold addon is built without its CRC-32 (binding.gyp checks the same path).
if (!existsSync('/usr/include/isa-l/crc.h'))
  console.log('build:native: ISA-L headers missing (apt-get install libisal-dev); building the fold addon without its CRC-32');
const gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
const result = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodeDir}`], { cwd: packageDir, stdio: 'inherit' });
process.exit(result.status ?? 1);
