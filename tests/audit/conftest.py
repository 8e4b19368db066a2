from __future__ import annotations

import pytest

from tests.staff.users import AUDITOR, OPERATOR, sign_in_to_admin, staff_user


@pytest.fixture
def operator(db):  # type: ignore[no-untyped-def]
    return staff_user(group=OPERATOR, email="operator@partnercenter.example")


@pytest.fixture
def auditor(db):  # type: ignore[no-untyped-def]
    return staff_user(group=AUDITOR, email="auditor@partnercenter.example")


@pytest.fixture
def operator_client(client, operator):  # type: ignore[no-untyped-def]
    sign_in_to_admin(client, operator)
    return client


@pytest.fixture
def auditor_client(client, auditor):  # type: ignore[no-untyped-def]
    sign_in_to_admin(client, auditor)
    return client


@pytest.fixture
def superuser_client(client, db):  # type: ignore[no-untyped-def]
    sign_in_to_admin(client, staff_user(superuser=True, email="root@partnercenter.example"))
    return client
