"""Routes of the REST API v1."""

from django.urls import path, register_converter

from api import annotations, auth, exports, images, projects, workflow


class TileFormatConverter:
    regex = "jpeg|png"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TileFormatConverter, "tilefmt")

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("auth/me/", auth.MeView.as_view(), name="auth-me"),
    path("projects/", projects.ProjectListView.as_view(), name="project-list"),
    path("projects/<int:project_id>/", projects.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<int:project_id>/members/", projects.MemberListView.as_view(), name="member-list"),
    path(
        "projects/<int:project_id>/members/<int:member_id>/",
        projects.MemberDetailView.as_view(),
        name="member-detail",
    ),
    path("projects/<int:project_id>/labels/", projects.LabelListView.as_view(), name="label-list"),
    path("labels/<int:label_id>/", projects.LabelDetailView.as_view(), name="label-detail"),
    path("projects/<int:project_id>/images/", images.ImageListView.as_view(), name="image-list"),
    path("images/<int:image_id>/", images.ImageDetailView.as_view(), name="image-detail"),
    path("images/<int:image_id>/thumbnail", images.ThumbnailView.as_view(), name="image-thumbnail"),
    path("images/<int:image_id>/dzi", images.DziView.as_view(), name="image-dzi"),
    path(
        "images/<int:image_id>/tiles/<int:level>/<int:col>_<int:row>.<tilefmt:fmt>",
        images.TileView.as_view(),
        name="image-tile",
    ),
    path("images/<int:image_id>/annotations/", annotations.AnnotationListView.as_view(), name="annotation-list"),
    path("images/<int:image_id>/annotations/bulk/", annotations.AnnotationBulkView.as_view(), name="annotation-bulk"),
    path("annotations/<int:annotation_id>/", annotations.AnnotationDetailView.as_view(), name="annotation-detail"),
    path(
        "annotations/<int:annotation_id>/history/",
        annotations.AnnotationHistoryView.as_view(),
        name="annotation-history",
    ),
    path("projects/<int:project_id>/assignments/", workflow.AssignmentView.as_view(), name="assignments"),
    path("projects/<int:project_id>/next/", workflow.NextView.as_view(), name="next-image"),
    path("projects/<int:project_id>/progress/", workflow.ProgressView.as_view(), name="project-progress"),
    path("images/<int:image_id>/submit/", workflow.SubmitView.as_view(), name="image-submit"),
    path("images/<int:image_id>/review/", workflow.ReviewView.as_view(), name="image-review"),
    path("images/<int:image_id>/reviews/", workflow.ReviewListView.as_view(), name="image-reviews"),
    path("projects/<int:project_id>/exports/", exports.ExportListView.as_view(), name="export-list"),
    path("exports/<int:export_id>/", exports.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:export_id>/download", exports.ExportDownloadView.as_view(), name="export-download"),
]
