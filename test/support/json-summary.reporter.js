// Adds each Jest run's totals to the file named by JEST_SUMMARY_FILE, so .ci/run can report
// one "N passed, N failed" line for the main run and the fault run together.
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');

class JsonSummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.JEST_SUMMARY_FILE;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { passed: 0, failed: 0, suitesFailed: 0, runs: 0, failures: [] };
    // Which tests failed, by file and name, so the closing lines of .ci/run say where to look.
    const failures = results.testResults.flatMap((suite) => {
      const file = suite.testFilePath.replace(`${process.cwd()}/`, '');
      const tests = suite.testResults.filter((t) => t.status === 'failed').map((t) => `${file} › ${t.fullName}`);
      return tests.length || !suite.testExecError ? tests : [`${file} › (suite failed to run: ${String(suite.testExecError.message).split('\n')[0]})`];
    });
    writeFileSync(
      file,
      JSON.stringify({
        passed: previous.passed + results.numPassedTests,
        failed: previous.failed + results.numFailedTests,
        suitesFailed: previous.suitesFailed + results.numFailedTestSuites + results.numRuntimeErrorTestSuites,
        runs: previous.runs + 1,
        failures: [...(previous.failures ?? []), ...failures],
      }),
    );
  }
}

module.exports = JsonSummaryReporter;
