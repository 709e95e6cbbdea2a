// Jest transformer for the few dependencies published only as ES modules (commander, listr2 and
// listr2's terminal helpers). Node 22 loads them from our CommonJS build with require(), but jest 29's
// module runtime cannot, so under jest they are converted to CommonJS with esbuild.
const { transformSync } = require('esbuild');

module.exports = {
  getCacheKey(source, path) {
    return `esm-transform:1:${path}:${require('crypto').createHash('sha1').update(source).digest('hex')}`;
  },
  process(source, path) {
    const { code, map } = transformSync(source, { format: 'cjs', loader: 'js', target: 'node22', sourcefile: path, sourcemap: 'inline' });
    return { code, map };
  },
};
