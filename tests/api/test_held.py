"""Held images (possible burned-in text) stay hidden from annotators until a manager releases them."""

from annotator.imaging.models import Image


def test_held_image_is_hidden_until_released(project, owner, member, client_for, ready_image) -> None:
    Image.objects.filter(pk=ready_image.pk).update(status="held", metadata={"hold_reason": "ultrasound"})
    annotator = client_for(member("annotator"))
    boss = client_for(owner)
    assert annotator.get(f"/api/v1/projects/{project.pk}/images/").json()["results"] == []
    assert annotator.get(f"/api/v1/images/{ready_image.pk}/thumbnail").status_code == 404
    assert annotator.get(f"/api/v1/projects/{project.pk}/next/").status_code == 204
    listed = boss.get(f"/api/v1/projects/{project.pk}/images/", {"status": "held"}).json()["results"]
    assert [i["id"] for i in listed] == [ready_image.pk]
    assert boss.get(f"/api/v1/images/{ready_image.pk}/thumbnail").status_code == 200  # to look for text

    released = boss.post(f"/api/v1/images/{ready_image.pk}/release/")
    assert released.status_code == 200 and released.json()["status"] == "ready"
    assert Image.objects.get(pk=ready_image.pk).metadata["released_by"] == "owner"
    assert [i["id"] for i in annotator.get(f"/api/v1/projects/{project.pk}/images/").json()["results"]] == [
        ready_image.pk
    ]
    again = boss.post(f"/api/v1/images/{ready_image.pk}/release/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


def test_reprocess_queues_the_image_again(project, owner, client_for, ready_image) -> None:
    response = client_for(owner).post(f"/api/v1/images/{ready_image.pk}/reprocess/")
    assert response.status_code == 202 and response.json()["status"] == "pending"
