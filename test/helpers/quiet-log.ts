// Preloaded before every test file (bunfig.toml): the process's default logger writes to memory, not to the test
// output, so a passing run prints only the test report. Tests that read log lines give a logger or sink of their own.
import { log } from "../../src/core";

/** The last log lines the default logger wrote (bounded), for a test that wants to look. */
export const quietLines: string[] = [];

log.sink = (line: string) => {
  quietLines.push(line);
  if (quietLines.length > 1000) quietLines.shift();
};
