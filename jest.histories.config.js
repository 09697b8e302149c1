/** `npm run histories:record`: re-records test/histories/*.json (see docs/changing-workflows.md). */
const base = require('./jest.config');
module.exports = { ...base, testMatch: ['**/test/histories/*.record.ts'] };
