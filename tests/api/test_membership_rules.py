"""Who can be added to a project: people the caller shares a project with; existence never leaks; no superusers."""

from __future__ import annotations

from annotator.accounts.models import Membership
from annotator.projects.models import Project
from annotator.projects.services import project_create


def _add(client, project: Project, **body) -> object:
    return client.post(f"/api/v1/projects/{project.pk}/members/", body, format="json")


def test_unknown_and_unshared_users_get_the_same_answer(project: Project, owner, make_user, client_for) -> None:
    stranger = make_user("stranger")
    client = client_for(owner)
    unknown = _add(client, project, username="no-such-person", role="viewer")
    unshared = _add(client, project, username="stranger", role="viewer")
    assert unknown.status_code == unshared.status_code == 400
    assert unknown.json()["code"] == unshared.json()["code"] == "unknown_user"
    assert unknown.json()["errors"] == unshared.json()["errors"]
    by_id_unknown = _add(client, project, user=stranger.pk + 1000, role="viewer")
    by_id_unshared = _add(client, project, user=stranger.pk, role="viewer")
    assert by_id_unknown.status_code == by_id_unshared.status_code == 400
    assert by_id_unknown.json()["errors"] == by_id_unshared.json()["errors"]
    assert by_id_unknown.json()["detail"].replace(str(stranger.pk + 1000), "N") == by_id_unshared.json()[
        "detail"
    ].replace(str(stranger.pk), "N")
    assert not Membership.objects.filter(user=stranger).exists()


def test_a_colleague_from_another_project_can_be_added(project: Project, owner, make_user, client_for) -> None:
    colleague = make_user("colleague")
    Membership.objects.create(project=project_create(creator=colleague, name="Other"), user=owner, role="viewer")
    added = _add(client_for(owner), project, username="colleague", role="annotator")
    assert added.status_code == 201 and added.json()["role"] == "annotator"


def test_staff_may_add_anyone_but_no_one_else_adds_a_superuser(project: Project, owner, make_user, client_for) -> None:
    root = make_user("root", is_superuser=True, is_staff=True)
    make_user("newcomer")
    staff = make_user("helpdesk", is_staff=True)
    Membership.objects.create(project=project, user=staff, role="manager")
    # The superuser shares a project with the owner, and is still not addable (as owner or anything).
    Membership.objects.create(project=project_create(creator=root, name="Root's"), user=owner, role="viewer")
    for caller in (owner, staff):
        refused = _add(client_for(caller), project, username="root", role="owner")
        assert refused.status_code == 400 and refused.json()["code"] == "unknown_user"
    assert _add(client_for(staff), project, username="newcomer", role="viewer").status_code == 201
    assert not Membership.objects.filter(project=project, user=root).exists()


def test_a_superuser_member_is_not_made_owner_by_an_owner(project: Project, owner, make_user, client_for) -> None:
    root = make_user("root", is_superuser=True, is_staff=True)
    member = Membership.objects.create(project=project, user=root, role="viewer")
    response = client_for(owner).patch(
        f"/api/v1/projects/{project.pk}/members/{member.pk}/", {"role": "owner"}, format="json"
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.role == "viewer"
