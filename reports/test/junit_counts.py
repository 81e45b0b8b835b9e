"""Reads a JUnit report with Debian's python3-junitparser and prints, per suite, the counts its
attributes declare and the counts of its testcases' results, tab-separated:
    NAME<TAB>tests failures errors skipped<TAB>tests failures errors skipped
Run with /usr/bin/python3 (the python3 Debian's package serves)."""
import sys

from junitparser import Error, Failure, JUnitXml, Skipped, TestSuite

xml = JUnitXml.fromfile(sys.argv[1])
suites = [xml] if isinstance(xml, TestSuite) else list(xml)
for suite in suites:
    counted = [0, 0, 0, 0]
    for case in suite:
        counted[0] += 1
        results = case.result
        if any(isinstance(r, Failure) for r in results):
            counted[1] += 1
        if any(isinstance(r, Error) for r in results):
            counted[2] += 1
        if any(isinstance(r, Skipped) for r in results):
            counted[3] += 1
    declared = [suite.tests, suite.failures, suite.errors, suite.skipped]
    print(suite.name, " ".join(map(str, declared)), " ".join(map(str, counted)), sep="\t")
