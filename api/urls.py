"""Routes of the REST API v1."""

from django.urls import path, register_converter

from api import (
    annotations,
    audit,
    auth,
    exports,
    image_actions,
    images,
    imports,
    projects,
    uploads,
    versions,
    workflow,
)


class TileFormatConverter:
    regex = "jpeg|png"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class IdConverter:
    """Object ids: at most 18 digits, so a path never carries an integer a database cannot hold."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(TileFormatConverter, "tilefmt")
register_converter(IdConverter, "id")

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("auth/me/", auth.MeView.as_view(), name="auth-me"),
    path("auth/logout/", auth.LogoutView.as_view(), name="auth-logout"),
    path("projects/", projects.ProjectListView.as_view(), name="project-list"),
    path("projects/<id:project_id>/", projects.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<id:project_id>/members/", projects.MemberListView.as_view(), name="member-list"),
    path(
        "projects/<id:project_id>/members/<id:member_id>/",
        projects.MemberDetailView.as_view(),
        name="member-detail",
    ),
    path("projects/<id:project_id>/audit/", audit.AuditListView.as_view(), name="project-audit"),
    path("projects/<id:project_id>/labels/", projects.LabelListView.as_view(), name="label-list"),
    path("labels/<id:label_id>/", projects.LabelDetailView.as_view(), name="label-detail"),
    path("projects/<id:project_id>/images/", images.ImageListView.as_view(), name="image-list"),
    path("projects/<id:project_id>/uploads/", uploads.UploadListView.as_view(), name="upload-list"),
    path("uploads/<id:upload_id>/", uploads.UploadDetailView.as_view(), name="upload-detail"),
    path("uploads/<id:upload_id>/complete/", uploads.UploadCompleteView.as_view(), name="upload-complete"),
    path("images/<id:image_id>/", images.ImageDetailView.as_view(), name="image-detail"),
    path("images/<id:image_id>/release/", image_actions.ReleaseView.as_view(), name="image-release"),
    path("images/<id:image_id>/reprocess/", image_actions.ReprocessView.as_view(), name="image-reprocess"),
    path("images/<id:image_id>/thumbnail", images.ThumbnailView.as_view(), name="image-thumbnail"),
    path("images/<id:image_id>/dzi", images.DziView.as_view(), name="image-dzi"),
    path(
        "images/<id:image_id>/tiles/<id:level>/<id:col>_<id:row>.<tilefmt:fmt>",
        images.TileView.as_view(),
        name="image-tile",
    ),
    path("images/<id:image_id>/frames/<id:frame>", images.FramesView.as_view(), name="image-frame"),
    path("images/<id:image_id>/annotations/", annotations.AnnotationListView.as_view(), name="annotation-list"),
    path("images/<id:image_id>/annotations/bulk/", annotations.AnnotationBulkView.as_view(), name="annotation-bulk"),
    path("annotations/<id:annotation_id>/", annotations.AnnotationDetailView.as_view(), name="annotation-detail"),
    path(
        "annotations/<id:annotation_id>/history/",
        annotations.AnnotationHistoryView.as_view(),
        name="annotation-history",
    ),
    path("projects/<id:project_id>/assignments/", workflow.AssignmentView.as_view(), name="assignments"),
    path("projects/<id:project_id>/next/", workflow.NextView.as_view(), name="next-image"),
    path("projects/<id:project_id>/progress/", workflow.ProgressView.as_view(), name="project-progress"),
    path("images/<id:image_id>/submit/", workflow.SubmitView.as_view(), name="image-submit"),
    path("images/<id:image_id>/review/", workflow.ReviewView.as_view(), name="image-review"),
    path("images/<id:image_id>/reviews/", workflow.ReviewListView.as_view(), name="image-reviews"),
    path("projects/<id:project_id>/exports/", exports.ExportListView.as_view(), name="export-list"),
    path("exports/<id:export_id>/", exports.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<id:export_id>/download", exports.ExportDownloadView.as_view(), name="export-download"),
    path("exports/<id:export_id>/cancel/", exports.ExportCancelView.as_view(), name="export-cancel"),
    path("projects/<id:project_id>/imports/", imports.ImportListView.as_view(), name="import-list"),
    path("imports/<id:import_id>/", imports.ImportDetailView.as_view(), name="import-detail"),
    path("projects/<id:project_id>/versions/", versions.VersionListView.as_view(), name="version-list"),
    path(
        "projects/<id:project_id>/versions/<id:version_id>/",
        versions.VersionDetailView.as_view(),
        name="version-detail",
    ),
    path(
        "projects/<id:project_id>/versions/<id:a>/diff/<id:b>/", versions.VersionDiffView.as_view(), name="version-diff"
    ),
]
