"""Schemathesis against the live schema, in-process on the WSGI app: no 5xx, every answer documented."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks as st_checks
from schemathesis.specs.openapi import checks as oa_checks

from annotator.annotations.services import annotation_create


@schemathesis.serializer("application/offset+octet-stream")
def _chunk(ctx, value) -> bytes | None:
    """Upload chunks are raw bytes; anything drawn for them is sent as its text."""
    return value if isinstance(value, bytes) else str(value).encode()


SCHEMA = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
SCHEMA.app = get_wsgi_application()
OPERATIONS = {op.ok().label: op.ok() for op in SCHEMA.get_all_operations()}
CHECKS = [
    st_checks.not_a_server_error,
    oa_checks.status_code_conformance,
    oa_checks.content_type_conformance,
    oa_checks.response_schema_conformance,
]
# Each operation gets a bounded number of examples: the run stays within a couple of minutes on 2 cores.
EXAMPLES = 12


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """As Django's test client does: the WSGI app must not close the test transaction's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(project, owner, ready_image, bbox_label) -> dict[str, int]:
    """Path parameters that name real objects, so requests reach past the 404 into the view."""
    from annotator.accounts.models import Membership

    annotation = annotation_create(
        image=ready_image, author=owner, label=bbox_label, geometry={"x": 1, "y": 1, "w": 4, "h": 4}
    )
    member = Membership.objects.get(project=project, user=owner)
    return {
        "project_id": project.pk,
        "image_id": ready_image.pk,
        "annotation_id": annotation.pk,
        "label_id": bbox_label.pk,
        "member_id": member.pk,
    }


def test_every_operation_is_covered() -> None:
    assert len(OPERATIONS) > 30, sorted(OPERATIONS)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_conforms(label: str, real_ids: dict[str, int], owner) -> None:
    operation = OPERATIONS[label]
    token, _ = Token.objects.get_or_create(user=owner)

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def check(case) -> None:
        # Half the examples name real objects (deeper), the rest keep the drawn ids (the 404 paths).
        if case.path_parameters and hash(repr(case.query)) % 2 == 0:
            case.path_parameters = {k: real_ids.get(k, v) for k, v in case.path_parameters.items()}
        headers = {"Authorization": f"Token {token.key}"}
        with transaction.atomic():  # every example starts from the same objects
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS, headers=headers)

    check()


def test_anonymous_answers_are_documented() -> None:
    """Without credentials every protected operation answers a documented 401."""
    for label, operation in OPERATIONS.items():
        if "auth/token" in label:
            continue
        responses = operation.definition.raw["responses"]
        assert "401" in responses, label
