"""Annotations drawn on images, and the append-only trail of their revisions."""

from django.conf import settings
from django.db import models

from annotator.core.fields import TextJSONField
from annotator.core.models import TimeStampedModel


class AnnotationSource(models.TextChoices):
    HUMAN = "human", "Human"
    IMPORT = "import", "Import"
    MODEL = "model", "Model"


class Annotation(TimeStampedModel):
    """One labelled shape (or tag) on one frame of an image; geometry in level-0 pixels."""

    image = models.ForeignKey("imaging.Image", on_delete=models.CASCADE, related_name="annotations")
    label = models.ForeignKey("projects.Label", on_delete=models.PROTECT, related_name="annotations")
    frame = models.PositiveIntegerField(default=0)
    # json, not jsonb, on Postgres: listed as stored (see TextJSONField)
    geometry = TextJSONField(null=True, blank=True)
    attributes = TextJSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=16, choices=AnnotationSource.choices, default=AnnotationSource.HUMAN)

    class Meta:
        ordering = ["id"]
        # (image, id): a list page (cursor pagination by id within an image) is an index range scan, not a sort.
        indexes = [models.Index(fields=["image", "frame"]), models.Index(fields=["image", "id"])]

    def __str__(self) -> str:
        return f"annotation {self.pk} on image {self.image_id}"


class RevisionAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"


class Revision(models.Model):
    """One change to an annotation: who, when, the state before and after."""

    annotation_id = models.BigIntegerField(db_index=True)
    image = models.ForeignKey("imaging.Image", on_delete=models.CASCADE, related_name="revisions")
    action = models.CharField(max_length=16, choices=RevisionAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action} of annotation {self.annotation_id} (v{self.version})"


class ReviewOutcome(models.TextChoices):
    ACCEPT = "accept", "Accept"
    REJECT = "reject", "Reject"


class ReviewDecision(models.Model):
    """A reviewer's verdict on an image's annotations, with the comment the annotator reads."""

    image = models.ForeignKey("imaging.Image", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=8, choices=ReviewOutcome.choices)
    comment = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.decision} of image {self.image_id}"
