/** `npm run test:faults`: the fault tests (worker killed, server restarted, SMTP down, Temporal unreachable). */
const base = require('./jest.config');
module.exports = { ...base, testMatch: ['**/test/faults/*.faults.ts'], testTimeout: 600_000 };
