export declare const LOG_DIR: string;
/** The log file of the test file at `testPath` (absolute). */
export declare function suiteLogFile(testPath: string): string;
