"""The cost bench's S3 list: requests a case by operation, the browsers' presigned PUTs included."""

from bench.cost import CaseCost, report, s3_requests


def _case(*operations: str, browser_puts: int = 0) -> CaseCost:
    return CaseCost(charges=[], invocations=[], calls=[("s3", op, "case") for op in operations], transitions=0,
                    browser_puts=browser_puts)


def test_given_two_cases_then_s3_requests_are_counted_per_case_by_operation_most_first():
    cases = [_case("GetObject", "CopyObject", "GetObject", browser_puts=2), _case("GetObject", browser_puts=2)]

    counted = s3_requests(cases)

    assert counted == {"PutObject (presigned, browser)": 2.0, "GetObject": 1.5, "CopyObject": 0.5}
    assert list(counted) == ["PutObject (presigned, browser)", "GetObject", "CopyObject"]


def test_given_a_case_then_the_report_prints_each_s3_operation_with_its_price_class():
    line = next(line for line in report_lines() if "S3 requests a case by operation" in line)

    assert "CopyObject 1.0 (PUT)" in line and "HeadObject 1.0 (GET)" in line and "DeleteObject 1.0 (free)" in line
    assert "PutObject (presigned, browser) 1.0 (PUT)" in line


def report_lines() -> list[str]:
    from bench.cost import CostResults

    return report(CostResults(cases=[_case("CopyObject", "HeadObject", "DeleteObject", browser_puts=1)]))
