"""Routes of /v1/imports: GIAS extracts in, a job resource out (202 + Location to poll)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from common.http.pagination import After, Page, Pagination
from common.http.problems import validation_failed
from scheduling.deps import DirectoryWriter, SessionDep
from scheduling.directory.gias import service
from scheduling.directory.gias.models import FileKind, ImportJob, ImportRejection
from scheduling.directory.gias.schemas import Counts, ImportFileOut, ImportOut, RejectionOut

router = APIRouter(prefix="/v1/imports", tags=["imports"])

ImportId = Annotated[UUID, Path(description="Import job id")]


_FILES = {
    FileKind.ESTABLISHMENTS: "edubasealldataYYYYMMDD.csv",
    FileKind.GROUPS: "allgroupsdata.csv",
    FileKind.LINKS: "links_edubasealldataYYYYMMDD.csv",
}
# The body is read by the route, after the token and scope are checked (FastAPI would read
# File(...) parameters first, spooling an anonymous 60 MB upload), so it is documented here.
_MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        kind.value: {"type": "string", "format": "binary", "description": name}
                        for kind, name in _FILES.items()
                    },
                    "additionalProperties": False,
                }
            }
        },
    }
}


@router.post(
    "",
    name="start_import",
    summary="Import GIAS extracts",
    description=(
        "Upload one or more GIAS extracts as `multipart/form-data` (fields `establishments`: "
        "edubasealldataYYYYMMDD.csv, `groups`: allgroupsdata.csv, `links`: "
        "links_edubasealldataYYYYMMDD.csv; Windows-1252 CSV as DfE publishes them). Answers "
        "202 with `Location` of the job to poll. With the `imports:admin` scope the import is "
        "national; otherwise it covers the token's LAs and skips (counts) other LAs' rows. "
        "Emits `scheduling.school.registered`/`.updated` for new and changed schools only."
    ),
    status_code=202,
    response_model=ImportOut,
    responses={202: {"description": "Accepted: the job is queued", "model": ImportOut}},
    openapi_extra=_MULTIPART_BODY,
)
async def start_import(
    request: Request, response: Response, session: SessionDep, principal: DirectoryWriter
) -> ImportOut:
    try:
        form = await request.form(max_files=len(_FILES), max_fields=len(_FILES))
    except HTTPException as exc:  # a malformed multipart body
        raise validation_failed([{"field": "body", "message": str(exc.detail)}]) from exc
    try:
        unknown = sorted(set(form.keys()) - {kind.value for kind in _FILES})
        if unknown:
            raise validation_failed(
                [{"field": name, "message": "not a GIAS file field"} for name in unknown]
            )
        uploads = []
        for kind in _FILES:
            value = form.get(kind.value)
            if value is None:
                continue
            if not isinstance(value, UploadFile):
                raise validation_failed([{"field": kind.value, "message": "expected a file"}])
            uploads.append(service.Upload(kind, value.filename or f"{kind.value}.csv", value.file))
        if not uploads:
            raise validation_failed(
                [{"field": "body", "message": "upload establishments, groups or links"}]
            )
        settings = request.app.state.settings
        job = await service.start_import(
            session, principal, uploads, import_dir=settings.import_dir
        )
    finally:
        await form.close()
    request.app.state.imports.start(job.id)
    response.headers["Location"] = f"/v1/imports/{job.id}"
    return _out(job, [])


@router.get(
    "",
    name="list_imports",
    summary="List import jobs",
    description=(
        "The GIAS import jobs the caller may see (an LA's jobs by its tokens; national jobs "
        "with `imports:admin`), newest first: find a job again once its `Location` is lost. "
        "New jobs: pass the `id` of the newest job you hold as `after_id` (then oldest first)."
    ),
    response_model=Page[ImportOut],
)
async def list_imports(
    session: SessionDep, principal: DirectoryWriter, params: Pagination, after: After
) -> Page[ImportOut]:
    jobs, next_cursor = await service.list_imports(session, principal, params, after)
    return Page(data=[_out(job, []) for job in jobs], next_cursor=next_cursor)


@router.get("/{import_id}", name="get_import", summary="An import job", response_model=ImportOut)
async def get_import(
    import_id: ImportId, request: Request, session: SessionDep, principal: DirectoryWriter
) -> ImportOut:
    stale_after = request.app.state.settings.import_stale_seconds
    job, rejections = await service.get_import(
        session, principal, import_id, stale_after=stale_after
    )
    return _out(job, rejections)


@router.delete(
    "/{import_id}",
    name="cancel_import",
    summary="Cancel an import job",
    description=(
        "Stops the job after its current batch (rows already committed stay). 202 with the job "
        "(it turns `cancelled` shortly); 409 when it has already finished."
    ),
    status_code=202,
    response_model=ImportOut,
    responses={202: {"description": "Cancellation requested", "model": ImportOut}},
)
async def cancel_import(
    import_id: ImportId, session: SessionDep, principal: DirectoryWriter
) -> ImportOut:
    job = await service.cancel_import(session, principal, import_id)
    return _out(job, [])


def _out(job: ImportJob, rejections: Sequence[ImportRejection]) -> ImportOut:
    files = [
        ImportFileOut(
            kind=FileKind(f["kind"]),
            filename=f["filename"],
            size=f["size"],
            counts=Counts(**job.counts.get(f["kind"], {})),
        )
        for f in job.files
    ]
    return ImportOut(
        id=job.id,
        status=job.status,
        progress=job.progress,
        national=job.national,
        la_codes=job.la_codes,
        files=files,
        counts=Counts(**service.totals(job.counts)),
        rejections=[RejectionOut.model_validate(r) for r in rejections],
        rejections_shown=len(rejections),
        reason=job.reason,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )
