"""The imports API: start a job with a file, poll its status, fetch its report."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import is_admin
from atera.api.schema import VALIDATION_ERROR

from . import services
from .models import ImportJob, Kind
from .readers import FileRefused


class IsAdmin(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return is_admin(request.user)


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    errors = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "original_name",
            "dry_run",
            "rows_total",
            "rows_processed",
            "new_count",
            "updated_count",
            "unchanged_count",
            "error_count",
            "message",
            "created_at",
            "validated_at",
            "confirmed_at",
            "finished_at",
            "errors",
        ]

    def get_errors(self, job: ImportJob) -> list[dict]:
        rows = job.row_errors.all()[:1000]
        return RowErrorSerializer(rows, many=True).data


class StartImportSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class ImportJobListView(APIView):
    permission_classes = [IsAdmin]
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="imports_list", responses={200: ImportJobSerializer(many=True)})
    def get(self, request):
        jobs = ImportJob.objects.all()[:50]
        return Response(ImportJobSerializer(jobs, many=True).data)

    @extend_schema(
        operation_id="imports_create",
        request={"multipart/form-data": StartImportSerializer},
        responses={202: ImportJobSerializer, 400: VALIDATION_ERROR},
    )
    def post(self, request):
        form = StartImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            job = services.create_job(
                form.validated_data["kind"],
                form.validated_data["file"],
                request.user,
                dry_run=form.validated_data["dry_run"],
            )
        except FileRefused as refusal:
            return Response({"file": [str(refusal)]}, status=status.HTTP_400_BAD_REQUEST)
        services.enqueue_validation(job)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportJobDetailView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(operation_id="imports_retrieve", responses={200: ImportJobSerializer})
    def get(self, request, pk: int):
        job = get_object_or_404(ImportJob, pk=pk)
        if job.is_running:
            services.fail_stalled_jobs([job.pk])
            job.refresh_from_db()
        data = ImportJobSerializer(job).data
        data["rows_processed"], data["rows_total"] = services.progress_of(job)
        return Response(data)


class ImportJobConfirmView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="imports_confirm",
        request=None,
        responses={202: ImportJobSerializer, 409: OpenApiResponse(description="Not confirmable")},
    )
    def post(self, request, pk: int):
        job = get_object_or_404(ImportJob, pk=pk)
        if not services.confirm(job, request.user):
            problem = (
                _("This upload was only checked; upload the file again to import it.")
                if job.dry_run
                else _("Only a validated job without errors can be confirmed, once.")
            )
            return Response({"status": [str(problem)]}, status=status.HTTP_409_CONFLICT)
        services.enqueue_import(job)
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
