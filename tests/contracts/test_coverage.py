"""Every extracted operation has a contract test that calls it on the sandbox."""

from __future__ import annotations

import pytest

from tests.contracts import (
    test_confluence_cloud_v1,
    test_confluence_cloud_v2,
    test_jira_cloud_v3,
    test_jira_dc_v2,
)
from tests.contracts.support import COVERAGE, PRODUCTS, load_contract

MODULES = {
    "jira-cloud-v3": test_jira_cloud_v3,
    "jira-dc-v2": test_jira_dc_v2,
    "confluence-cloud-v1": test_confluence_cloud_v1,
    "confluence-cloud-v2": test_confluence_cloud_v2,
}


@pytest.mark.parametrize("product", PRODUCTS)
def test_every_operation_has_a_contract_test(product):
    assert product == MODULES[product].P
    missing = sorted(set(load_contract(product).operations) - set(COVERAGE[product]))
    assert not missing, f"{product}: no contract test calls {missing}"
