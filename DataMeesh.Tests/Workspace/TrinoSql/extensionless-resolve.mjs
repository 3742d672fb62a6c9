// dt-sql-parser 4.5.1 ships ES modules whose relative imports omit the file extension ('./parser', './common/basicSQL'),
// which Node's ESM resolver refuses. This hook retries such an import as '<name>.js', then '<name>/index.js'; every
// other specifier resolves as usual.
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const retriable = error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'ERR_UNSUPPORTED_DIR_IMPORT';
    if (!retriable || !(specifier.startsWith('./') || specifier.startsWith('../'))) {
      throw error;
    }
    for (const candidate of [`${specifier}.js`, `${specifier}/index.js`]) {
      try {
        return await nextResolve(candidate, context);
      } catch {
        // try the next form
      }
    }
    throw error;
  }
}
