"""The review workflow: assign, next, submit, review with a comment back, locks and visibility."""

from annotator.annotations.models import ReviewDecision
from annotator.imaging.models import Image


def _box(client, image, label, x=1):
    return client.post(
        f"/api/v1/images/{image.pk}/annotations/",
        {"label": label.pk, "geometry": {"x": x, "y": 1, "w": 5, "h": 5}},
        format="json",
    )


def test_full_round_trip_reject_then_accept(project, owner, member, client_for, ready_image, bbox_label) -> None:
    annotator, reviewer = member("annotator"), member("reviewer")
    boss, ann_client, rev_client = client_for(owner), client_for(annotator), client_for(reviewer)

    assigned = boss.post(
        f"/api/v1/projects/{project.pk}/assignments/",
        {"images": [ready_image.pk], "assignee": annotator.username, "reviewer": reviewer.pk},
        format="json",
    )
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["images"][0]["assignee"] == annotator.pk

    nxt = ann_client.get(f"/api/v1/projects/{project.pk}/next/")
    assert nxt.status_code == 200 and nxt.json()["id"] == ready_image.pk
    assert _box(ann_client, ready_image, bbox_label).status_code == 201
    assert Image.objects.get(pk=ready_image.pk).workflow_state == "in_progress"

    assert rev_client.get(f"/api/v1/projects/{project.pk}/next/").status_code == 204  # nothing submitted yet
    submitted = ann_client.post(f"/api/v1/images/{ready_image.pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["workflow_state"] == "submitted"
    locked = _box(ann_client, ready_image, bbox_label, x=2)
    assert locked.status_code == 409 and locked.json()["code"] == "image_locked"
    assert rev_client.get(f"/api/v1/projects/{project.pk}/next/").json()["id"] == ready_image.pk

    no_comment = rev_client.post(f"/api/v1/images/{ready_image.pk}/review/", {"decision": "reject"}, format="json")
    assert no_comment.status_code == 400 and "comment" in no_comment.json()["errors"]
    rejected = rev_client.post(
        f"/api/v1/images/{ready_image.pk}/review/",
        {"decision": "reject", "comment": "Box misses the rim"},
        format="json",
    )
    assert rejected.status_code == 201 and rejected.json()["reviewer"]["username"] == reviewer.username
    reviews = ann_client.get(f"/api/v1/images/{ready_image.pk}/reviews/").json()["results"]
    assert reviews[-1]["comment"] == "Box misses the rim"
    assert ann_client.get(f"/api/v1/projects/{project.pk}/next/").json()["workflow_state"] == "rejected"

    assert _box(ann_client, ready_image, bbox_label, x=3).status_code == 201  # rework reopens it
    assert ann_client.post(f"/api/v1/images/{ready_image.pk}/submit/").status_code == 200
    accepted = rev_client.post(f"/api/v1/images/{ready_image.pk}/review/", {"decision": "accept"}, format="json")
    assert accepted.status_code == 201
    assert Image.objects.get(pk=ready_image.pk).workflow_state == "accepted"
    again = rev_client.post(f"/api/v1/images/{ready_image.pk}/review/", {"decision": "accept"}, format="json")
    assert again.status_code == 409
    assert list(ReviewDecision.objects.values_list("decision", flat=True)) == ["reject", "accept"]

    progress = boss.get(f"/api/v1/projects/{project.pk}/progress/").json()
    assert progress["images"]["accepted"] == 1 and progress["done_fraction"] == 1.0
    mine = next(m for m in progress["members"] if m["user"]["id"] == annotator.pk)
    assert mine["assigned"] == 1 and mine["accepted"] == 1 and mine["annotations"] == 2


def test_assignment_roles_are_checked(project, owner, member, client_for, ready_image) -> None:
    viewer, annotator = member("viewer"), member("annotator")
    boss = client_for(owner)
    url = f"/api/v1/projects/{project.pk}/assignments/"
    bad = boss.post(url, {"images": [ready_image.pk], "assignee": viewer.username}, format="json")
    assert bad.status_code == 400 and "assignee" in bad.json()["errors"]
    bad_rev = boss.post(url, {"images": [ready_image.pk], "reviewer": annotator.username}, format="json")
    assert bad_rev.status_code == 400 and "reviewer" in bad_rev.json()["errors"]
    same = boss.post(url, {"images": [ready_image.pk], "assignee": owner.pk, "reviewer": owner.pk}, format="json")
    assert same.status_code == 400
    foreign = boss.post(url, {"images": [999999], "assignee": annotator.username}, format="json")
    assert foreign.status_code == 400 and "images" in foreign.json()["errors"]
    assert (
        client_for(annotator)
        .post(url, {"images": [ready_image.pk], "assignee": annotator.pk}, format="json")
        .status_code
        == 403
    )


def test_reviewer_cannot_review_own_work_or_others_queue(
    project, member, client_for, ready_image, bbox_label, owner
) -> None:
    reviewer, other = member("reviewer"), member("manager")
    client_for(owner).post(
        f"/api/v1/projects/{project.pk}/assignments/",
        {"images": [ready_image.pk], "assignee": reviewer.pk},
        format="json",
    )
    rev = client_for(reviewer)
    assert _box(rev, ready_image, bbox_label).status_code == 201
    assert rev.post(f"/api/v1/images/{ready_image.pk}/submit/").status_code == 200
    own = rev.post(f"/api/v1/images/{ready_image.pk}/review/", {"decision": "accept"}, format="json")
    assert own.status_code == 403
    assert (
        client_for(other)
        .post(f"/api/v1/images/{ready_image.pk}/review/", {"decision": "accept"}, format="json")
        .status_code
        == 201
    )


def test_annotators_see_only_assigned_images_when_the_project_says_so(
    project, owner, member, client_for, ready_image, bbox_label
) -> None:
    annotator = member("annotator")
    client = client_for(annotator)
    assert len(client.get(f"/api/v1/projects/{project.pk}/images/").json()["results"]) == 1
    project.annotators_see_all = False
    project.save()
    assert client.get(f"/api/v1/projects/{project.pk}/images/").json()["results"] == []
    assert client.get(f"/api/v1/images/{ready_image.pk}/").status_code == 404
    assert client.get(f"/api/v1/images/{ready_image.pk}/dzi").status_code == 404
    assert _box(client, ready_image, bbox_label).status_code == 404
    assert client.get(f"/api/v1/projects/{project.pk}/next/").status_code == 204
    client_for(owner).post(
        f"/api/v1/projects/{project.pk}/assignments/",
        {"images": [ready_image.pk], "assignee": annotator.pk},
        format="json",
    )
    assert [i["id"] for i in client.get(f"/api/v1/projects/{project.pk}/images/").json()["results"]] == [ready_image.pk]
    assert _box(client, ready_image, bbox_label).status_code == 201


def test_workflow_state_filter(project, owner, client_for, ready_image) -> None:
    client = client_for(owner)
    assert len(client.get(f"/api/v1/projects/{project.pk}/images/", {"workflow_state": "new"}).json()["results"]) == 1
    assert client.get(f"/api/v1/projects/{project.pk}/images/", {"workflow_state": "accepted"}).json()["results"] == []
    bad = client.get(f"/api/v1/projects/{project.pk}/images/", {"workflow_state": "bogus"})
    assert bad.status_code == 400
